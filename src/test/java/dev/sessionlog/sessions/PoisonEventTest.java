package dev.sessionlog.sessions;

import static dev.sessionlog.testing.JsonAssert.assertSameJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.ApiClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Events that append accepts and that once stopped the recorder for their session for ever: each
 * must be foldable and storable, or land in fold_errors, and the session records on after it; a
 * rebuild gives the same session as the stream did.
 */
class PoisonEventTest {

    private final RecorderTestSupport t = new RecorderTestSupport();

    @Test
    void anAgentIdOfThousandsOfCharactersIsStoredAndListed() {
        String tenant = RecorderTestSupport.newTenant();
        String agent = "agent-" + "x".repeat(3000); // over DynamoDB's 2048-byte index key limit
        assertAccepted(tenant, "s-agent", """
                {"type":"AgentStart","agent_id":"%s","session_id":"s-agent","loop_id":"s-agent.m.0","timestamp":"2026-11-21T10:00:00Z"}"""
                .formatted(agent));
        recordsOnAfter(tenant, "s-agent");
        assertEquals(agent, t.session(tenant, "s-agent").get("agent_id").asText());
        JsonNode listed = t.api.get(tenant, "/v1/sessions").body().get("sessions").get(0);
        assertEquals("s-agent", listed.get("session_id").asText());
        assertTrue(agent.startsWith(listed.get("agent_id").asText()), "the list shows the id's beginning");
        assertEquals(0, t.api.get(tenant, "/v1/sessions?agent_id=" + agent.substring(0, 1000)).body().get("sessions").size(),
                "a prefix of the id is another agent");
    }

    @Test
    void aTimestampBeyondYear9999IsAFoldErrorAndTheSessionRecordsOn() {
        String tenant = RecorderTestSupport.newTenant();
        assertAccepted(tenant, "s-time", """
                {"type":"AgentStart","agent_id":"a","session_id":"s-time","loop_id":"s-time.m.0","timestamp":"+999999999-12-31T23:59:59-18:00"}""");
        assertAccepted(tenant, "s-time", """
                {"type":"custom.note","timestamp":"+999999999-12-31T23:59:59-18:00"}""");
        recordsOnAfter(tenant, "s-time");
        JsonNode session = t.session(tenant, "s-time");
        assertEquals("AgentStart", session.get("fold_errors").get(0).get("type").asText());
        assertEquals(1, session.get("fold_error_count").asLong(), "an unknown type's timestamp is not ours to read");
    }

    @Test
    void aMessageNestedToTheRequestLimitIsStoredServedAndFolded() {
        String tenant = RecorderTestSupport.newTenant();
        assertAccepted(tenant, "s-deep", """
                {"type":"AgentStart","agent_id":"a","session_id":"s-deep","loop_id":"s-deep.m.0","timestamp":"2026-11-21T10:00:00Z"}""");
        assertAccepted(tenant, "s-deep", """
                {"type":"TurnStart","loop_id":"s-deep.m.0","turn_index":0,"timestamp":"2026-11-21T10:00:01Z","triggered_by":"User"}""");
        // {"events":[{"event":{"message":{"content":[[[...]]]}}}]}: exactly the deepest request the API reads.
        int opened = 5; // {"events":[ {"event":{ "message":{ , then the arrays of "content"
        String deep = "[".repeat(Json.REQUEST_MAX_DEPTH - opened) + "]".repeat(Json.REQUEST_MAX_DEPTH - opened);
        String body = "{\"events\":[{\"event\":{\"type\":\"MessageEnd\",\"loop_id\":\"s-deep.m.0\",\"message\":{\"role\":\"user\",\"content\":"
                + deep + "}}}]}";
        assertEquals(201, t.api.post(tenant, "/v1/sessions/s-deep/events", body).status());
        String tooDeep = body.replace("\"content\":[", "\"content\":[[").replace("]}}}]}", "]]}}}]}");
        ApiClient.Response refused = t.api.post(tenant, "/v1/sessions/s-deep/events", tooDeep);
        assertEquals(400, refused.status());
        assertTrue(refused.error().get("message").asText().contains("1000 levels"), refused.body()::toString);
        recordsOnAfter(tenant, "s-deep");
        assertEquals(200, t.api.get(tenant, "/v1/sessions/s-deep/events?after_seq=0").status());
        assertEquals(200, t.api.get(tenant, "/v1/sessions/s-deep/loops/s-deep.m.0").status());
    }

    private void assertAccepted(String tenant, String session, String event) {
        ApiClient.Response r = t.api.post(tenant, "/v1/sessions/" + session + "/events", "{\"events\":[{\"event\":" + event + "}]}");
        assertEquals(201, r.status(), r.body()::toString);
    }

    /** The recorder folds the session, a normal event after it too, and a rebuild equals what the stream built. */
    private void recordsOnAfter(String tenant, String session) {
        t.record(tenant, session);
        ObjectNode normal = Json.MAPPER.createObjectNode().put("type", "custom.after").put("n", 1);
        assertAccepted(tenant, session, Json.write(normal));
        t.record(tenant, session);
        JsonNode streamBuilt = t.session(tenant, session);
        long head = streamBuilt.get("head_seq").asLong();
        assertEquals(head, streamBuilt.get("recorded_through_seq").asLong(), "the session recorded past the event");
        t.components.streamRecorder().rebuild(new StreamKey(tenant, session));
        assertSameJson(streamBuilt, t.session(tenant, session));
        assertEquals(List.of(), t.components.streamRecorder().record(t.records(tenant, session)), "a redelivery is no failure");
    }
}
