package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.load;
import static dev.sessionlog.recorder.Fixtures.range;
import static dev.sessionlog.recorder.Fixtures.seqs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.EventRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One loop, two turns, one tool call, streamed assistant messages (tool_loop.json). */
class ToolLoopTest {

    private static final String LOOP = "s-tool.anthropic-sonnet.0";

    @Test
    void sessionHeaderComesFromTheFirstAgentStart() {
        JsonNode s = Fixtures.fold("s-tool", "tool_loop.json").toSessionJson();
        assertEquals("s-tool", s.get("session_id").asText());
        assertEquals("agent-7", s.get("agent_id").asText());
        assertEquals("2026-11-21T10:00:01Z", s.get("created_at").asText());
        assertEquals("{\"FirstLoop\":{\"timestamp\":\"2026-11-21T10:00:01Z\"}}", json(s.get("formation")));
        assertTrue(s.get("parent_spawn_ref").isNull());
        assertEquals("ephemeral", s.get("scope").asText());
        assertEquals("completed", s.get("status").asText());
        assertEquals(20, s.get("recorded_through_seq").asLong());
        // phi-core's: the (only) AgentStart's timestamp; the server's clock of the last event is last_event_at.
        assertEquals("2026-11-21T10:00:01Z", s.get("last_active_at").asText());
        assertEquals(Fixtures.recordedAt(20).toString(), s.get("last_event_at").asText());
        assertEquals(0, s.get("fold_errors").size());
        assertEquals(0, s.get("fold_error_count").asLong());
        assertEquals("{\"input\":320,\"output\":100,\"reasoning\":0,\"cache_read\":80,\"cache_write\":0,\"total_tokens\":420}",
                json(s.get("usage")));
    }

    @Test
    void loopIsCompletedWithItsMessagesUsageAndExtractedConfig() {
        JsonNode loop = Fixtures.loop(Fixtures.fold("s-tool", "tool_loop.json").toSessionJson(), LOOP);
        assertEquals("Completed", loop.get("status").asText());
        assertEquals("s-tool", loop.get("session_id").asText());
        assertEquals("agent-7", loop.get("agent_id").asText());
        assertTrue(loop.get("parent_loop_id").isNull());
        assertEquals("Initial", loop.get("continuation_kind").asText());
        assertEquals("2026-11-21T10:00:01Z", loop.get("started_at").asText());
        assertEquals("2026-11-21T10:00:20Z", loop.get("ended_at").asText());
        assertTrue(loop.get("rejection").isNull());
        assertEquals("req-1", loop.get("metadata").get("request_id").asText());
        // No config_snapshot on AgentStart: taken from the first assistant message, config_id from the loop id.
        assertEquals("{\"model\":\"claude-sonnet-4-5\",\"provider\":\"anthropic\",\"config_id\":\"anthropic-sonnet\"}",
                json(loop.get("config")));
        assertEquals(4, loop.get("messages").size());
        assertEquals("toolResult", loop.get("messages").get(2).get("role").asText());
        assertEquals("{\"input\":320,\"output\":100,\"reasoning\":0,\"cache_read\":80,\"cache_write\":0,\"total_tokens\":420}",
                json(loop.get("usage")));
        assertEquals(0, loop.get("children_loop_ids").size());
        assertEquals(0, loop.get("child_loop_refs").size());
        assertTrue(loop.get("parallel_group").isNull());
    }

    @Test
    void turnsAreAssembledFromTurnStartToTurnEnd() {
        JsonNode turns = Fixtures.loop(Fixtures.fold("s-tool", "tool_loop.json").toSessionJson(), LOOP).get("turns");
        assertEquals(2, turns.size());

        JsonNode t0 = turns.get(0);
        assertEquals("{\"loopId\":\"s-tool.anthropic-sonnet.0\",\"turnIndex\":0}", json(t0.get("turn_id")));
        assertEquals("User", t0.get("triggered_by").asText());
        assertEquals("2026-11-21T10:00:02Z", t0.get("started_at").asText());
        assertEquals("2026-11-21T10:00:14Z", t0.get("ended_at").asText());
        assertEquals(160, t0.get("usage").get("total_tokens").asLong());
        // recorder.rs: every non-assistant MessageEnd inside the turn is input, the tool result included.
        assertEquals(2, t0.get("input_messages").size());
        assertEquals("user", t0.get("input_messages").get(0).get("role").asText());
        assertEquals("toolResult", t0.get("input_messages").get(1).get("role").asText());
        assertEquals("toolUse", t0.get("output_message").get("stopReason").asText());
        assertEquals(1, t0.get("tool_results").size());
        JsonNode result = t0.get("tool_results").get(0);
        assertEquals("toolu_01", result.get("toolCallId").asText());
        assertEquals("{\"loopId\":\"s-tool.anthropic-sonnet.0\",\"turnIndex\":0}", json(result.get("turnId")));

        JsonNode t1 = turns.get(1);
        assertEquals(1, t1.get("turn_id").get("turnIndex").asInt());
        assertEquals("Continuation", t1.get("triggered_by").asText(), "legacy FollowUp reads as Continuation");
        assertEquals(0, t1.get("input_messages").size());
        assertEquals(0, t1.get("tool_results").size());
        assertEquals("stop", t1.get("output_message").get("stopReason").asText());
        // Missing usage counters read as 0.
        assertEquals("{\"input\":200,\"output\":60,\"reasoning\":0,\"cache_read\":80,\"cache_write\":0,\"total_tokens\":260}",
                json(t1.get("usage")));
    }

    @Test
    void streamingUpdatesAreLeftOutOfEventSeqsByDefault() {
        JsonNode loop = Fixtures.loop(Fixtures.fold("s-tool", "tool_loop.json").toSessionJson(), LOOP);
        List<Long> expected = new ArrayList<>(range(1, 20));
        expected.removeAll(List.of(6L, 7L, 17L)); // the three MessageUpdate events
        assertEquals(expected, seqs(loop.get("event_seqs")));
    }

    @Test
    void streamingUpdatesAreKeptWhenAsked() {
        SessionFold f = Fixtures.fold("s-tool", load("tool_loop.json"),
                RecorderOptions.defaults().withKeepStreamingUpdates(true));
        JsonNode loop = Fixtures.loop(f.toSessionJson(), LOOP);
        assertEquals(range(1, 20), seqs(loop.get("event_seqs")));
        assertEquals(2, loop.get("turns").size(), "streaming updates never become turn content");
    }

    @Test
    void aRunningLoopShowsItsFinishedTurnsAndTheirUsage() {
        SessionFold f = Fixtures.fold("s-tool", load("tool_loop.json").subList(0, 15), RecorderOptions.defaults());
        JsonNode s = f.toSessionJson();
        JsonNode loop = Fixtures.loop(s, LOOP);
        assertEquals("active", s.get("status").asText());
        assertTrue(f.hasOpenLoops());
        assertEquals("Running", loop.get("status").asText());
        assertTrue(loop.get("ended_at").isNull());
        assertEquals(1, loop.get("turns").size(), "turn 1 has started but not ended");
        assertEquals(0, loop.get("messages").size());
        assertEquals(160, loop.get("usage").get("total_tokens").asLong());
        assertEquals(160, s.get("usage").get("total_tokens").asLong());
        assertEquals("anthropic-sonnet", loop.get("config").get("config_id").asText());
    }

    @Test
    void foldingDoesNotChangeTheEvents() {
        List<EventRecord> events = load("tool_loop.json");
        String before = json(events.get(13).event());
        Fixtures.fold("s-tool", events, RecorderOptions.defaults());
        assertEquals(before, json(events.get(13).event()));
        assertFalse(events.get(13).event().get("tool_results").get(0).has("turnId"));
    }

    @Test
    void oneLoopAndSummaryViews() {
        SessionFold f = Fixtures.fold("s-tool", "tool_loop.json");
        assertEquals(json(Fixtures.loop(f.toSessionJson(), LOOP)), json(f.toLoopJson(LOOP)));
        assertNull(f.toLoopJson("s-tool.anthropic-sonnet.99"));
        JsonNode summary = f.toSummaryJson();
        assertEquals(1, summary.get("loop_count").asInt());
        assertEquals("completed", summary.get("status").asText());
        assertEquals(420, summary.get("usage").get("total_tokens").asLong());
        assertFalse(summary.has("loops"));
    }
}
