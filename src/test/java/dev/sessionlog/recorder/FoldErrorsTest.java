package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.EventRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events the fold cannot apply are recorded, with their seq, and the fold goes on. */
class FoldErrorsTest {

    private static final String ORPHAN = "s-orphan.anthropic-sonnet.0";

    @Test
    void eventsForLoopsThatNeverStartedOrAlreadyEndedAreFoldErrors() {
        JsonNode s = Fixtures.fold("s-orphan", "unknown_loop.json").toSessionJson();
        assertEquals("["
                + "{\"seq\":2,\"type\":\"TurnStart\",\"message\":\"no AgentStart seen for loop_id 's-orphan.anthropic-sonnet.9'\"},"
                + "{\"seq\":4,\"type\":\"ToolExecutionEnd\",\"message\":\"no AgentStart seen for loop_id 's-orphan.anthropic-sonnet.9'\"},"
                + "{\"seq\":5,\"type\":\"AgentStart\",\"message\":\"loop 's-orphan.anthropic-sonnet.0' already started at seq 1\"},"
                + "{\"seq\":6,\"type\":\"AgentStart\",\"message\":\"session_id 's-other' is not this session 's-orphan'\"},"
                + "{\"seq\":9,\"type\":\"MessageEnd\",\"message\":\"loop 's-orphan.anthropic-sonnet.0' already ended (Completed)\"},"
                + "{\"seq\":10,\"type\":\"AgentEnd\",\"message\":\"no AgentStart seen for loop_id 's-orphan.anthropic-sonnet.7'\"}"
                + "]", json(s.get("fold_errors")));
        assertEquals(6, s.get("fold_error_count").asLong());
        assertEquals(1, s.get("loops").size());
        JsonNode loop = Fixtures.loop(s, ORPHAN);
        assertEquals(List.of(1L, 3L, 7L, 8L), Fixtures.seqs(loop.get("event_seqs")));
        assertEquals("Completed", loop.get("status").asText());
        assertEquals("2026-11-21T10:00:01Z", loop.get("started_at").asText(), "the duplicate AgentStart changed nothing");
        assertEquals(1, loop.get("turns").size());
        assertEquals(10, s.get("recorded_through_seq").asLong());
    }

    @Test
    void malformedKnownEventsAreFoldErrorsAndLeaveNoTrace() {
        JsonNode s = Fixtures.fold("s-bad", "malformed.json").toSessionJson();
        assertEquals("["
                + "{\"seq\":2,\"type\":\"TurnStart\",\"message\":\"missing non-negative integer field 'turn_index'\"},"
                + "{\"seq\":5,\"type\":\"TurnEnd\",\"message\":\"missing object field 'message'\"},"
                + "{\"seq\":6,\"type\":\"TurnEnd\",\"message\":\"field 'timestamp' must be an RFC 3339 date-time\"},"
                + "{\"seq\":7,\"type\":\"TurnEnd\",\"message\":\"field 'usage.input' must be a number that fits 64 bits\"},"
                + "{\"seq\":8,\"type\":\"TurnEnd\",\"message\":\"field 'tool_results[0]' must be an object\"},"
                + "{\"seq\":9,\"type\":\"AgentStart\",\"message\":\"missing string field 'agent_id'\"},"
                + "{\"seq\":10,\"type\":\"MessageEnd\",\"message\":\"missing string field 'loop_id'\"}"
                + "]", json(s.get("fold_errors")));
        assertEquals(1, s.get("loops").size(), "the malformed AgentStart opened no loop");
        JsonNode loop = s.get("loops").get(0);
        assertEquals(List.of(1L, 3L, 4L, 11L, 12L), Fixtures.seqs(loop.get("event_seqs")));
        // The malformed TurnEnds neither closed the partial turn nor added usage nor set the config.
        assertEquals(1, loop.get("turns").size());
        JsonNode turn = loop.get("turns").get(0);
        assertEquals("hello", turn.get("input_messages").get(0).get("content").get(0).get("text").asText());
        assertEquals("2026-11-21T10:00:03Z", turn.get("started_at").asText());
        assertEquals(9, turn.get("usage").get("total_tokens").asLong());
        assertEquals("claude-sonnet-4-5", loop.get("config").get("model").asText());
        assertEquals("Completed", loop.get("status").asText());
        assertEquals(12, s.get("recorded_through_seq").asLong());
    }

    @Test
    void foldErrorsAreCappedButCounted() {
        SessionFold f = Fixtures.fold("s-bad", load("malformed.json"), RecorderOptions.defaults().withMaxFoldErrors(2));
        JsonNode s = f.toSessionJson();
        assertEquals(2, s.get("fold_errors").size());
        assertEquals(5, s.get("fold_errors").get(1).get("seq").asLong());
        assertEquals(7, s.get("fold_error_count").asLong());
    }

    @Test
    void eventsMustComeInSeqOrderWithoutGaps() {
        List<EventRecord> events = load("tool_loop.json");
        SessionFold f = SessionFold.start("s-tool", RecorderOptions.defaults());
        assertThrows(IllegalStateException.class, () -> f.apply(events.get(1)));
        f.apply(events.get(0));
        String before = json(f.toStateJson());
        assertThrows(IllegalStateException.class, () -> f.apply(events.get(0)), "a repeat");
        assertThrows(IllegalStateException.class, () -> f.apply(events.get(2)), "a gap");
        assertEquals(before, json(f.toStateJson()));
        assertEquals(1, f.recordedThroughSeq());
    }
}
