package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.load;
import static dev.sessionlog.recorder.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Closed loops frozen into parts (what SessionStore does at a save) change nothing the fold serves:
 * freezing whatever is closed after every event, storing the state as text and restoring it gives
 * the session, the summary and the loops of folding everything at once, for every fixture; an event
 * that names a frozen loop brings the parts back before it is applied.
 */
class FrozenLoopsTest {

    /** Parts kept as the text they were given to store, read back as a store would. */
    static final class Parts implements FrozenPartReader {
        final Map<String, String> stored = new HashMap<>();
        int reads;

        @Override
        public JsonNode read(String ref) {
            reads++;
            return parse(stored.get(ref));
        }

        /** A save: freezes what is closed (at least minBytes of it), stores the state as text, restores it. */
        SessionFold saveAndLoad(SessionFold fold, int minBytes, RecorderOptions options) {
            fold.freezable(minBytes).ifPresent(part -> {
                String ref = "part-" + stored.size();
                stored.put(ref, new String(part.json(), StandardCharsets.UTF_8));
                fold.frozen(part, ref, this);
            });
            return SessionFold.fromStateJson(parse(json(fold.toStateJson())), options, this);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.sessionlog.recorder.Fixtures#everyFixture")
    void freezingAfterEveryEventServesWhatFoldingAtOnceServes(String sessionId, String fixture, boolean keepStreaming) {
        RecorderOptions options = RecorderOptions.defaults().withKeepStreamingUpdates(keepStreaming);
        List<EventRecord> events = load(fixture);
        SessionFold whole = Fixtures.fold(sessionId, events, options);
        Parts parts = new Parts();
        SessionFold fold = SessionFold.start(sessionId, options);
        for (EventRecord e : events) {
            fold.apply(e);
            fold = parts.saveAndLoad(fold, 1, options);
            // the summary (loop count, usage, status) is whole without reading a part back
            int reads = parts.reads;
            assertEquals(json(Fixtures.fold(sessionId, events.subList(0, (int) e.seq()), options).toSummaryJson()),
                    json(fold.toSummaryJson()), fixture + " at " + e.seq());
            assertEquals(reads, parts.reads, "a summary reads no part");
        }
        assertEquals(whole.loopCount(), fold.loopCount());
        for (JsonNode loop : whole.toSessionJson().path("loops")) {
            String loopId = loop.get("loop_id").asText();
            assertEquals(json(loop), json(parts.saveAndLoad(fold, 1, options).toLoopJson(loopId)), fixture + " loop " + loopId);
        }
        assertEquals(json(whole.toSessionJson()), json(fold.toSessionJson()), fixture);
    }

    @Test
    void anEventNamingAFrozenLoopBringsThePartsBackFirst() {
        // a loop's event that comes after its AgentEnd, when the loop is frozen: the fold must know
        // the loop ended (a fold error, as without parts), so the parts come back first
        List<EventRecord> loopRun = load("tool_loop.json");
        EventRecord turnStart = loopRun.stream().filter(e -> e.type().equals("TurnStart")).findFirst().orElseThrow();
        List<EventRecord> events = new java.util.ArrayList<>(loopRun);
        events.add(Fixtures.record(loopRun.size() + 1, turnStart.event()));
        RecorderOptions options = RecorderOptions.defaults();
        Parts parts = new Parts();
        SessionFold fold = SessionFold.start("s-tool", options);
        fold.applyAll(loopRun);
        fold = parts.saveAndLoad(fold, 1, options);
        assertFalse(fold.frozenRefs().isEmpty(), "the ended loop is frozen");
        fold.apply(events.get(events.size() - 1));
        assertTrue(parts.reads > 0, "the parts were read back");
        assertEquals(List.of(), fold.frozenRefs(), "and are part of the working state again");
        SessionFold whole = Fixtures.fold("s-tool", events, options);
        assertEquals(1, whole.foldErrorCount());
        assertEquals(json(whole.toSessionJson()), json(parts.saveAndLoad(fold, 1, options).toSessionJson()));
    }

    @Test
    void aPartThatCannotBeReadStopsTheFoldAndIsNoFoldError() {
        List<EventRecord> loopRun = load("tool_loop.json");
        EventRecord turnStart = loopRun.stream().filter(e -> e.type().equals("TurnStart")).findFirst().orElseThrow();
        RecorderOptions options = RecorderOptions.defaults();
        Parts parts = new Parts();
        SessionFold fold = Fixtures.fold("s-tool", loopRun, options);
        fold = parts.saveAndLoad(fold, 1, options);
        SessionFold restored = SessionFold.fromStateJson(parse(json(fold.toStateJson())), options, ref -> {
            throw new IllegalStateException("S3 is down");
        });
        long errors = restored.foldErrorCount();
        assertThrows(FrozenPartsUnreadable.class, () -> restored.apply(Fixtures.record(loopRun.size() + 1, turnStart.event())));
        assertEquals(loopRun.size(), restored.recordedThroughSeq(), "the event is not taken: its batch is retried");
        assertEquals(errors, restored.foldErrorCount());
    }

    @Test
    void aLongRunKeepsASmallStateAndServesTheSameSession() {
        AgentRunGenerator.Run run = AgentRunGenerator.generate(AgentRunGenerator.Config.of("s-long", 200).withSeed(11));
        List<EventRecord> events = run.events();
        RecorderOptions options = RecorderOptions.defaults();
        SessionFold whole = Fixtures.fold("s-long", events, options);
        Parts parts = new Parts();
        SessionFold fold = SessionFold.start("s-long", options);
        for (int from = 0; from < events.size(); from += 50) {
            fold.applyAll(events.subList(from, Math.min(events.size(), from + 50)));
            fold = parts.saveAndLoad(fold, 16 * 1024, options);
        }
        int stateBytes = json(fold.toStateJson()).length();
        int wholeBytes = json(whole.toStateJson()).length();
        assertTrue(parts.stored.size() > 5, "parts: " + parts.stored.size());
        assertTrue(stateBytes * 10 < wholeBytes, "state " + stateBytes + " bytes, unfrozen " + wholeBytes);
        assertEquals(json(whole.toSummaryJson()), json(fold.toSummaryJson()));
        assertEquals(json(whole.toSessionJson()), json(fold.toSessionJson()));
    }

    @Test
    void aSingleLoopThatRunsForThousandsOfEventsKeepsASmallStateAndServesTheSameSession() {
        // one agent loop of hundreds of tool turns: nothing closes, so only its finished turns can leave
        AgentRunGenerator.Run run = AgentRunGenerator.generate(AgentRunGenerator.Config.of("s-one", 1)
                .withShape(1500, 2, 0).withLinks(1, 0, 3, 0).withSeed(5));
        List<EventRecord> events = run.events();
        assertTrue(events.size() > 2000, events.size() + " events");
        int running = events.size() - 3; // before its last turn's end and AgentEnd
        RecorderOptions options = RecorderOptions.defaults();
        Parts parts = new Parts();
        SessionFold fold = SessionFold.start("s-one", options);
        List<Integer> stateSizes = new java.util.ArrayList<>();
        for (int from = 0; from < running; from += 50) {
            fold.applyAll(events.subList(from, Math.min(running, from + 50)));
            fold = parts.saveAndLoad(fold, 16 * 1024, options);
            stateSizes.add(json(fold.toStateJson()).length());
        }
        assertTrue(fold.hasOpenLoops());
        JsonNode state = fold.toStateJson();
        assertEquals(3, state.get("state_version").asInt());
        assertTrue(state.path("loops").get(0).path("turn_parts").size() > 5, "turn parts: " + state.path("loops").get(0).path("turn_parts"));
        assertTrue(state.path("loops").get(0).path("event_seq_runs").size() < 10, "the loop's seqs are a few runs");
        SessionFold unfrozen = Fixtures.fold("s-one", events.subList(0, running), options);
        int lastState = stateSizes.get(stateSizes.size() - 1);
        assertTrue(lastState * 10 < json(unfrozen.toStateJson()).length(), "state " + lastState + " bytes, unfrozen "
                + json(unfrozen.toStateJson()).length());
        // what a save writes follows what changed: the state late in the loop is about what it was early
        assertTrue(lastState < 3 * stateSizes.get(stateSizes.size() / 10), "state sizes " + stateSizes);
        assertEquals(json(unfrozen.toSummaryJson()), json(fold.toSummaryJson()));
        String loopId = unfrozen.toSessionJson().path("loops").get(0).get("loop_id").asText();
        assertEquals(json(unfrozen.toLoopJson(loopId)), json(parts.saveAndLoad(fold, 16 * 1024, options).toLoopJson(loopId)));
        assertEquals(json(unfrozen.toSessionJson()), json(parts.saveAndLoad(fold, 16 * 1024, options).toSessionJson()));

        // the loop ends: it is frozen whole, its turns back in it, and the state names no turn part
        fold.applyAll(events.subList(running, events.size()));
        fold = parts.saveAndLoad(fold, 16 * 1024, options);
        assertFalse(fold.hasOpenLoops());
        assertEquals(1, fold.frozenRefs().size(), "one part: the loop; " + fold.frozenRefs());
        assertEquals(json(Fixtures.fold("s-one", events, options).toSessionJson()), json(fold.toSessionJson()));
    }

    @Test
    void aNewLoopWhoseIdAFilterTakesForAFrozenOneReadsThatPartAndThawsNothing() {
        AgentRunGenerator.Run run = AgentRunGenerator.generate(AgentRunGenerator.Config.of("s-fp", 200).withSeed(11));
        List<EventRecord> events = run.events();
        RecorderOptions options = RecorderOptions.defaults();
        Parts parts = new Parts();
        SessionFold fold = SessionFold.start("s-fp", options);
        for (int from = 0; from < events.size(); from += 50) {
            fold.applyAll(events.subList(from, Math.min(events.size(), from + 50)));
            fold = parts.saveAndLoad(fold, 16 * 1024, options);
        }
        List<String> refs = fold.frozenRefs();
        assertTrue(refs.size() > 3, refs.toString());
        // a loop id no loop has, which a part's filter claims (about one id in 2,000 per part)
        List<FrozenLoops.Part> filters = new java.util.ArrayList<>();
        for (JsonNode p : fold.toStateJson().path("frozen").path("parts")) {
            filters.add(new FrozenLoops.Part(p.get("ref").asText(), p.get("loops").asInt(),
                    java.util.Base64.getDecoder().decode(p.get("ids").asText())));
        }
        String claimed = java.util.stream.IntStream.range(0, 1_000_000).mapToObj(i -> "s-fp.new." + i)
                .filter(id -> filters.stream().anyMatch(f -> f.mayHold(id))).findFirst().orElseThrow();
        long claimingParts = filters.stream().filter(f -> f.mayHold(claimed)).count();

        ObjectNode start = ((ObjectNode) events.stream().filter(e -> e.type().equals("AgentStart")).findFirst().orElseThrow()
                .event().deepCopy()).put("loop_id", claimed);
        EventRecord newLoop = Fixtures.record(events.size() + 1, start);
        int reads = parts.reads;
        fold.apply(newLoop);
        assertEquals(reads + claimingParts, parts.reads, "only the claiming part is read");
        assertEquals(refs, fold.frozenRefs(), "nothing was thawed");
        List<EventRecord> all = new java.util.ArrayList<>(events);
        all.add(newLoop);
        assertEquals(json(Fixtures.fold("s-fp", all, options).toSessionJson()), json(fold.toSessionJson()));
    }

    @Test
    void aStateTheVersionBeforeWroteFoldsOn() {
        // version 1, loops without ordinals: what sessionlog stored before frozen parts
        List<EventRecord> events = load("parallel_group.json");
        RecorderOptions options = RecorderOptions.defaults();
        for (int k = 0; k <= events.size(); k++) {
            ObjectNode earlier = (ObjectNode) parse(json(Fixtures.fold("s-par", events.subList(0, k), options).toStateJson()));
            assertEquals(1, earlier.get("state_version").asInt());
            ((ArrayNode) earlier.get("loops")).forEach(loop -> ((ObjectNode) loop).remove("ordinal"));
            SessionFold restored = SessionFold.fromStateJson(earlier, options, new Parts());
            restored.applyAll(events.subList(k, events.size()));
            assertEquals(json(Fixtures.fold("s-par", events, options).toSessionJson()), json(restored.toSessionJson()), "split at " + k);
        }
    }

    @Test
    void aPartsIdFilterKnowsItsLoopsAndRarelyClaimsOthers() {
        // ids as agents make them, alike but for their ends: a "maybe" for a new loop would read every part back
        List<LoopState> loops = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            loops.add(new LoopState("s-long.m." + i, "s-long", "agent", null, null, java.time.Instant.EPOCH, null, null));
        }
        FrozenLoops frozen = new FrozenLoops();
        frozen.add("part-0", loops);
        assertTrue(loops.stream().allMatch(l -> frozen.mayHold(l.loopId)), "no loop of the part is missed");
        long claimed = java.util.stream.IntStream.range(1000, 101_000).filter(i -> frozen.mayHold("s-long.m." + i)).count();
        assertTrue(claimed < 100, claimed + " of 100,000 other ids claimed (the filter's design: about 1 in 2,000)");
    }

    @Test
    void aStateWithPartsSaysSo() {
        List<EventRecord> events = load("tool_loop.json");
        Parts parts = new Parts();
        SessionFold fold = Fixtures.fold("s-tool", events, RecorderOptions.defaults());
        fold = parts.saveAndLoad(fold, 1, RecorderOptions.defaults());
        JsonNode state = fold.toStateJson();
        assertEquals(3, state.get("state_version").asInt());
        assertFalse(state.path("frozen").path("parts").isEmpty());
        assertEquals(List.of(), fold.freezable(1).map(p -> p.loopIds()).orElse(List.of()), "nothing closed is left to freeze");
    }
}
