package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.seqs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Input filtered before any LLM call (rejected_input.json). */
class RejectedInputTest {

    private final JsonNode session = Fixtures.fold("s-rej", "rejected_input.json").toSessionJson();

    @Test
    void agentEndWithRejectionMakesTheLoopRejected() {
        JsonNode loop = Fixtures.loop(session, "s-rej.openai-gpt-5.0");
        assertEquals("Rejected", loop.get("status").asText());
        assertEquals("PII detected: email address", loop.get("rejection").asText());
        assertEquals("2026-11-21T10:00:03Z", loop.get("ended_at").asText());
        assertEquals(0, loop.get("turns").size());
        assertEquals(0, loop.get("messages").size());
        assertEquals(0, loop.get("usage").get("total_tokens").asLong());
        assertEquals(List.of(1L, 2L, 3L), seqs(loop.get("event_seqs")));
        // The snapshot AgentStart carried is kept as it is, optional fields included.
        assertEquals("{\"model\":\"gpt-5\",\"provider\":\"openai\",\"config_id\":\"openai-gpt-5\",\"name\":\"default\","
                + "\"api\":\"openai-responses\",\"max_tokens\":4096,\"temperature\":0.2}", json(loop.get("config")));
    }

    @Test
    void inputRejectedReasonIsUsedWhenAgentEndNamesNone() {
        JsonNode loop = Fixtures.loop(session, "s-rej.openai-gpt-5.1");
        assertEquals("Rejected", loop.get("status").asText());
        assertEquals("prompt injection suspected", loop.get("rejection").asText());
        assertTrue(loop.get("config").isNull(), "no snapshot and no assistant message");
    }

    @Test
    void sessionIsCompletedWithNoUsage() {
        assertEquals("completed", session.get("status").asText());
        assertEquals(2, session.get("loops").size());
        assertEquals(0, session.get("usage").get("input").asLong());
        assertEquals(0, session.get("fold_errors").size());
    }
}
