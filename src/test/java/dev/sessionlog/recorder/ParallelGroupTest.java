package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.EventRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Three branches of one prompt, interleaved; two close, then the evaluation selects one, then the third
 * closes (parallel_group.json).
 */
class ParallelGroupTest {

    private static final String A = "s-par.openai-gpt-5.0";
    private static final String B = "s-par.anthropic-sonnet.1";
    private static final String C = "s-par.google-gemini.2";
    private static final String GROUP = "{\"all_loop_ids\":[\"" + A + "\",\"" + B + "\",\"" + C + "\"],"
            + "\"selected_loop_id\":\"" + B + "\",\"selected_config_index\":1,"
            + "\"evaluation_usage\":{\"input\":150,\"output\":10,\"reasoning\":0,\"cache_read\":0,\"cache_write\":0,"
            + "\"total_tokens\":160},\"is_selected\":%s}";

    @Test
    void everyBranchGetsTheGroupWithItsOwnSelection() {
        JsonNode s = Fixtures.fold("s-par", "parallel_group.json").toSessionJson();
        assertEquals(String.format(GROUP, false), json(Fixtures.loop(s, A).get("parallel_group")));
        assertEquals(String.format(GROUP, true), json(Fixtures.loop(s, B).get("parallel_group")));
        assertEquals(String.format(GROUP, false), json(Fixtures.loop(s, C).get("parallel_group")));
        for (JsonNode loop : s.get("loops")) {
            assertEquals("Completed", loop.get("status").asText());
        }
    }

    @Test
    void selectionReachesClosedAndStillRunningBranches() {
        JsonNode s = Fixtures.fold("s-par", load("parallel_group.json").subList(0, 15), RecorderOptions.defaults())
                .toSessionJson();
        assertEquals("Completed", Fixtures.loop(s, A).get("status").asText());
        assertEquals("Running", Fixtures.loop(s, C).get("status").asText());
        assertEquals(String.format(GROUP, false), json(Fixtures.loop(s, A).get("parallel_group")));
        assertEquals(String.format(GROUP, true), json(Fixtures.loop(s, B).get("parallel_group")));
        assertEquals(String.format(GROUP, false), json(Fixtures.loop(s, C).get("parallel_group")));
    }

    @Test
    void aGroupAwaitingItsEndIsPendingState() {
        SessionFold before = Fixtures.fold("s-par", load("parallel_group.json").subList(0, 14), RecorderOptions.defaults());
        for (JsonNode loop : before.toSessionJson().get("loops")) {
            assertTrue(loop.get("parallel_group").isNull());
        }
        assertEquals(3, before.toStateJson().get("partial_groups").size());
        SessionFold after = Fixtures.fold("s-par", "parallel_group.json");
        assertEquals(0, after.toStateJson().get("partial_groups").size());
    }

    @Test
    void branchesKeepTheirOwnConfigAndTheGroupEventsBelongToNoLoop() {
        JsonNode s = Fixtures.fold("s-par", "parallel_group.json").toSessionJson();
        assertEquals(0.7, Fixtures.loop(s, A).get("config").get("temperature").asDouble());
        assertEquals("{\"model\":\"claude-sonnet-4-5\",\"provider\":\"anthropic\",\"config_id\":\"anthropic-sonnet\"}",
                json(Fixtures.loop(s, B).get("config")));
        assertEquals("google-gemini", Fixtures.loop(s, C).get("config").get("config_id").asText());
        for (JsonNode loop : s.get("loops")) {
            List<Long> seqs = Fixtures.seqs(loop.get("event_seqs"));
            assertFalse(seqs.contains(1L) || seqs.contains(15L), "ParallelLoopStart/End are session-level");
        }
        assertEquals(List.of(3L, 6L, 9L, 12L, 14L), Fixtures.seqs(Fixtures.loop(s, B).get("event_seqs")));
        // Session usage is the loops' usage; the judge's evaluation_usage stays on the group.
        assertEquals("{\"input\":63,\"output\":9,\"reasoning\":8,\"cache_read\":0,\"cache_write\":0,\"total_tokens\":80}",
                json(s.get("usage")));
    }

    @Test
    void aGroupEventOfAnotherSessionIsAFoldError() {
        SessionFold f = SessionFold.start("s-par", RecorderOptions.defaults());
        f.apply(Fixtures.record(1, Fixtures.parse("{\"type\":\"ParallelLoopStart\",\"session_id\":\"s-elsewhere\","
                + "\"loop_ids\":[\"s-elsewhere.m.0\"],\"timestamp\":\"2026-11-21T10:00:01Z\"}")));
        JsonNode s = f.toSessionJson();
        assertEquals("[{\"seq\":1,\"type\":\"ParallelLoopStart\",\"message\":\"session_id 's-elsewhere' is not this "
                + "session 's-par'\"}]", json(s.get("fold_errors")));
        assertEquals(0, f.toStateJson().get("partial_groups").size());
    }

    @Test
    void anEndWithoutAStartGroupsTheSelectedLoopAlone() {
        List<EventRecord> events = load("parallel_group.json");
        SessionFold f = SessionFold.start("s-par", RecorderOptions.defaults());
        f.apply(Fixtures.record(1, Fixtures.parse("{\"type\":\"Other\"}")));
        for (EventRecord e : events.subList(1, events.size())) {
            f.apply(e);
        }
        JsonNode s = f.toSessionJson();
        assertEquals("[\"" + B + "\"]", json(Fixtures.loop(s, B).get("parallel_group").get("all_loop_ids")));
        assertTrue(Fixtures.loop(s, A).get("parallel_group").isNull());
    }
}
