package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.load;
import static dev.sessionlog.recorder.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sessionlog.event.EventRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Folding 1..k, storing the state as JSON text, restoring it and folding k+1..n gives the same bytes as
 * folding 1..n at once: for every k of every fixture, so that every kind of pending state (partial
 * turns, running loops, groups awaiting their end, spawn refs, fold errors) crosses a restore.
 */
class StateRoundTripTest {

    @ParameterizedTest
    @MethodSource("dev.sessionlog.recorder.Fixtures#everyFixture")
    void everySplitPointRoundTrips(String sessionId, String fixture, boolean keepStreaming) {
        RecorderOptions options = RecorderOptions.defaults().withKeepStreamingUpdates(keepStreaming);
        List<EventRecord> events = load(fixture);
        SessionFold whole = Fixtures.fold(sessionId, events, options);
        String expectedSession = json(whole.toSessionJson());
        String expectedState = json(whole.toStateJson());
        for (int k = 0; k <= events.size(); k++) {
            SessionFold resumed = resume(sessionId, events, k, options);
            assertEquals(expectedSession, json(resumed.toSessionJson()), fixture + " split at " + k);
            assertEquals(expectedState, json(resumed.toStateJson()), fixture + " split at " + k);
        }
    }

    @Test
    void aFlushedFoldRoundTripsAndGoesOn() {
        List<EventRecord> events = load("continuation_chain.json");
        Instant now = Instant.parse("2026-11-21T11:00:00Z");
        SessionFold whole = Fixtures.fold("s-chain", events, RecorderOptions.defaults());
        whole.abortOpenLoops(now);
        SessionFold restored = SessionFold.fromStateJson(parse(json(whole.toStateJson())), RecorderOptions.defaults());
        assertEquals(json(whole.toSessionJson()), json(restored.toSessionJson()));
        assertEquals(whole.lastActiveAt(), restored.lastActiveAt());
        assertEquals(whole.hasOpenLoops(), restored.hasOpenLoops());
    }

    @Test
    void generatedRunsRoundTripAtSeveralPoints() {
        AgentRunGenerator.Run run = AgentRunGenerator.generate(AgentRunGenerator.Config.of("s-gen", 120).withSeed(7));
        List<EventRecord> events = run.events();
        SessionFold whole = Fixtures.fold("s-gen", events, RecorderOptions.defaults());
        String expected = json(whole.toSessionJson());
        for (int k : new int[] {1, events.size() / 7, events.size() / 3, events.size() / 2, events.size() - 1}) {
            assertEquals(expected, json(resume("s-gen", events, k, RecorderOptions.defaults()).toSessionJson()),
                    "split at " + k);
        }
    }

    @Test
    void aStateThatIsNoFoldStateIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> SessionFold.fromStateJson(parse("{\"session_id\":\"x\"}"), RecorderOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> SessionFold.fromStateJson(
                parse("{\"state_version\":1,\"session_id\":\"x\",\"scope\":\"ephemeral\",\"loops\":[{\"loop_id\":\"x.m.0\"}],"
                        + "\"fold_errors\":[]}"), RecorderOptions.defaults()));
    }

    /** Folds 1..k, stores the state as text, restores it and folds the rest. */
    private static SessionFold resume(String sessionId, List<EventRecord> events, int k, RecorderOptions options) {
        SessionFold first = Fixtures.fold(sessionId, events.subList(0, k), options);
        String stored = json(first.toStateJson());
        SessionFold second = SessionFold.fromStateJson(parse(stored), options);
        assertEquals(k, second.recordedThroughSeq());
        second.applyAll(events.subList(k, events.size()));
        return second;
    }
}
