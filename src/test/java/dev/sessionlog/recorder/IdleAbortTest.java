package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.parse;
import static dev.sessionlog.recorder.Fixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An agent that went quiet mid-turn, flushed by the idle sweep (idle_session.json). */
class IdleAbortTest {

    private static final String DONE = "s-idle.anthropic-sonnet.0";
    private static final String STUCK = "s-idle.anthropic-sonnet.1";
    private static final Instant NOW = Instant.parse("2026-11-21T10:30:00Z");

    @Test
    void beforeTheFlushTheLoopRunsWithAPartialTurn() {
        SessionFold f = Fixtures.fold("s-idle", "idle_session.json");
        assertTrue(f.hasOpenLoops());
        // last_active_at is phi-core's, the latest AgentStart's timestamp; the server's clock of the last
        // event (a dropped MessageUpdate without a timestamp) is last_event_at.
        assertEquals(Instant.parse(f.toSessionJson().get("loops").get(1).get("started_at").asText()), f.lastActiveAt());
        assertEquals(Fixtures.recordedAt(12), f.lastEventAt());
        assertTrue(f.toStateJson().get("loops").get(1).has("partial_turn"));
    }

    @Test
    void abortMarksRunningLoopsAbortedAndDiscardsTheirPartialTurn() {
        SessionFold f = Fixtures.fold("s-idle", "idle_session.json");
        Instant lastActive = f.lastActiveAt();
        f.abortOpenLoops(NOW);

        JsonNode s = f.toSessionJson();
        JsonNode stuck = Fixtures.loop(s, STUCK);
        assertEquals("Aborted", stuck.get("status").asText());
        assertEquals("2026-11-21T10:30:00Z", stuck.get("ended_at").asText());
        assertEquals(1, stuck.get("turns").size(), "turn 0 ended; turn 1 never did");
        assertEquals(0, stuck.get("messages").size());
        assertEquals(16, stuck.get("usage").get("total_tokens").asLong());
        assertEquals("Completed", Fixtures.loop(s, DONE).get("status").asText());
        assertEquals("2026-11-21T10:00:05Z", Fixtures.loop(s, DONE).get("ended_at").asText());
        assertEquals("completed", s.get("status").asText());
        assertFalse(f.hasOpenLoops());
        assertEquals(lastActive, f.lastActiveAt(), "a flush is not activity");
        assertEquals(12, s.get("recorded_through_seq").asLong());
        assertFalse(f.toStateJson().get("loops").get(1).has("partial_turn"));
    }

    @Test
    void eventsForAnAbortedLoopAreFoldErrorsButNewLoopsRun() {
        SessionFold f = Fixtures.fold("s-idle", "idle_session.json");
        f.abortOpenLoops(NOW);
        f.apply(record(13, parse("{\"type\":\"TurnEnd\",\"loop_id\":\"" + STUCK + "\",\"message\":{\"role\":\"assistant\","
                + "\"content\":[]},\"usage\":{\"input\":1,\"output\":1},\"timestamp\":\"2026-11-21T10:31:00Z\",\"tool_results\":[]}")));
        f.apply(record(14, parse("{\"type\":\"AgentStart\",\"agent_id\":\"agent-idle\",\"session_id\":\"s-idle\",\"loop_id\":"
                + "\"s-idle.anthropic-sonnet.2\",\"parent_loop_id\":null,\"continuation_kind\":\"Initial\","
                + "\"timestamp\":\"2026-11-21T10:32:00Z\",\"metadata\":null,\"config_snapshot\":null}")));
        JsonNode s = f.toSessionJson();
        assertEquals("[{\"seq\":13,\"type\":\"TurnEnd\",\"message\":\"loop '" + STUCK + "' already ended (Aborted)\"}]",
                json(s.get("fold_errors")));
        assertEquals("active", s.get("status").asText());
        assertEquals("2026-11-21T10:32:00Z", s.get("last_active_at").asText());
        assertEquals(1, Fixtures.loop(s, STUCK).get("turns").size());
    }
}
