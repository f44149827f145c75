package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.EventRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A generated session of 2,000 loops and over 20,000 events folds, serializes and resumes. */
class GeneratedSessionTest {

    private static final AgentRunGenerator.Config CONFIG = AgentRunGenerator.Config.of("s-big", 2000);

    @Test
    void twoThousandLoopsFoldToTheGeneratedCounts() throws Exception {
        AgentRunGenerator.Run run = AgentRunGenerator.generate(CONFIG);
        AgentRunGenerator.Stats stats = run.stats();
        List<EventRecord> events = run.events();
        assertTrue(events.size() >= 20_000, "events: " + events.size());

        long started = System.nanoTime();
        SessionFold fold = Fixtures.fold("s-big", events, RecorderOptions.defaults());
        long folded = System.nanoTime();
        JsonNode s = fold.toSessionJson();
        byte[] bytes = Fixtures.MAPPER.writeValueAsBytes(s);
        long written = System.nanoTime();
        System.out.printf("fold of %d events / %d loops: %.1f ms, session JSON (%d KiB): %.1f ms%n", events.size(),
                stats.loops(), (folded - started) / 1e6, bytes.length / 1024, (written - folded) / 1e6);

        assertEquals(2000, s.get("loops").size());
        assertEquals(events.size(), s.get("recorded_through_seq").asLong());
        assertEquals(0, s.get("fold_error_count").asLong());
        assertEquals("completed", s.get("status").asText());

        int turns = 0;
        int refs = 0;
        int seqs = 0;
        int selected = 0;
        int grouped = 0;
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode loop : s.get("loops")) {
            byId.put(loop.get("loop_id").asText(), loop);
            assertEquals("Completed", loop.get("status").asText());
            assertTrue(loop.get("config").hasNonNull("config_id"));
            turns += loop.get("turns").size();
            refs += loop.get("child_loop_refs").size();
            seqs += loop.get("event_seqs").size();
            if (loop.hasNonNull("parallel_group")) {
                grouped++;
                selected += loop.get("parallel_group").get("is_selected").asBoolean() ? 1 : 0;
            }
        }
        assertEquals(stats.turns(), turns);
        assertEquals(stats.subAgentSpawns(), refs);
        assertEquals(stats.parallelGroups(), selected);
        assertTrue(grouped >= 2 * stats.parallelGroups());
        assertEquals(events.size() - stats.streamingUpdates() - stats.sessionLevelEvents(), seqs);
        assertEquals(stats.inputTokens(), s.get("usage").get("input").asLong());
        assertEquals(stats.outputTokens(), s.get("usage").get("output").asLong());
        assertEquals(stats.totalTokens(), s.get("usage").get("total_tokens").asLong());

        // Every continuation is listed by its parent, exactly once.
        int links = 0;
        for (JsonNode loop : s.get("loops")) {
            if (loop.hasNonNull("parent_loop_id")) {
                JsonNode parent = byId.get(loop.get("parent_loop_id").asText());
                assertTrue(json(parent.get("children_loop_ids")).contains("\"" + loop.get("loop_id").asText() + "\""));
                links++;
            }
        }
        int listed = 0;
        for (JsonNode loop : s.get("loops")) {
            listed += loop.get("children_loop_ids").size();
        }
        assertEquals(links, listed);
        assertTrue(links > 1000, "the generator chains loops: " + links);
    }

    @Test
    void theBigSessionResumesFromItsStoredState() {
        List<EventRecord> events = AgentRunGenerator.generate(CONFIG).events();
        SessionFold whole = Fixtures.fold("s-big", events, RecorderOptions.defaults());
        int half = events.size() / 2;
        SessionFold first = Fixtures.fold("s-big", events.subList(0, half), RecorderOptions.defaults());
        SessionFold second = SessionFold.fromStateJson(parse(json(first.toStateJson())), RecorderOptions.defaults());
        second.applyAll(events.subList(half, events.size()));
        assertEquals(json(whole.toSessionJson()), json(second.toSessionJson()));
    }

    @Test
    void theGeneratorIsDeterministic() {
        byte[] a = AgentRunGenerator.jsonLines(AgentRunGenerator.generate(CONFIG.withSeed(3)).events(), Fixtures.MAPPER);
        byte[] b = AgentRunGenerator.jsonLines(AgentRunGenerator.generate(CONFIG.withSeed(3)).events(), Fixtures.MAPPER);
        assertArrayEquals(a, b);
    }
}
