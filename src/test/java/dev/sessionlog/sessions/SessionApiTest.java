package dev.sessionlog.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.function.StreamEventHandler;
import dev.sessionlog.local.StreamEvents;
import dev.sessionlog.local.StreamPoller;
import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.testing.AwsTestResource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session endpoints, fed by the real DynamoDB stream (moto's) through the local event source mapping. */
class SessionApiTest {

    final RecorderTestSupport t = new RecorderTestSupport();

    /** The test's own records: the stream from before its appends on (the suite's other records are not its business). */
    private final StreamPoller poller = StreamPoller.fromNow(t.aws.embedded().dynamo(), t.aws.embedded().streams(),
            t.aws.table("EventsTable"), "us-east-1");

    /** Polls the events table's stream, as Lambda's event source mapping would, until the session is folded. */
    private void recordFromStream(String tenant, String session, long seq) throws InterruptedException {
        StreamEventHandler handler = t.components.streamEventHandler();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            poller.pollOnce(event -> StreamEvents.deliver(handler, event));
            var stored = t.components.sessionStore().load(new dev.sessionlog.log.StreamKey(tenant, session));
            if (stored.isPresent() && stored.get().fold().recordedThroughSeq() >= seq) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("session " + session + " was not recorded from the stream within 60 s");
    }

    @Test
    void sessionsFromTheStreamAreServedListedAndPaged() throws Exception {
        String tenant = RecorderTestSupport.newTenant();
        t.append(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json"));
        t.append(tenant, "s-rej", RecorderTestSupport.fixture("rejected_input.json"));
        t.append(tenant, "s-chain", RecorderTestSupport.fixture("continuation_chain.json"));
        recordFromStream(tenant, "s-tool", t.records(tenant, "s-tool").size());
        recordFromStream(tenant, "s-rej", t.records(tenant, "s-rej").size());
        recordFromStream(tenant, "s-chain", t.records(tenant, "s-chain").size());

        JsonNode session = t.session(tenant, "s-tool");
        assertEquals("s-tool", session.get("session_id").asText());
        assertEquals(session.get("recorded_through_seq"), session.get("head_seq"));
        assertEquals(0, session.get("archived_through_seq").asLong());
        assertTrue(session.get("loops").size() >= 1);
        String loopId = session.get("loops").get(0).get("loop_id").asText();
        Response loop = t.api.get(tenant, "/v1/sessions/s-tool/loops/" + loopId);
        assertEquals(200, loop.status());
        assertEquals(session.get("loops").get(0), loop.body());
        assertEquals("loop_not_found", t.api.get(tenant, "/v1/sessions/s-tool/loops/nope").error().get("code").asText());
        assertEquals("session_not_found", t.api.get(tenant, "/v1/sessions/nope").error().get("code").asText());
        assertEquals("session_not_found", t.api.get("someone-else", "/v1/sessions/s-tool").error().get("code").asText());

        // Newest activity first, two per page.
        List<JsonNode> listed = new ArrayList<>();
        String cursor = null;
        do {
            Response page = t.api.get(tenant, "/v1/sessions?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, page.status(), () -> page.body().toString());
            page.body().get("sessions").forEach(listed::add);
            cursor = page.body().get("next_cursor").isNull() ? null : page.body().get("next_cursor").asText();
        } while (cursor != null);
        assertEquals(3, listed.size());
        for (int i = 1; i < listed.size(); i++) {
            assertTrue(listed.get(i - 1).get("last_active_at").asText().compareTo(listed.get(i).get("last_active_at").asText()) >= 0);
        }
        JsonNode tool = listed.stream().filter(s -> s.get("session_id").asText().equals("s-tool")).findFirst().orElseThrow();
        assertEquals(session.get("loops").size(), tool.get("loop_count").asInt());
        assertEquals(session.get("usage"), tool.get("usage"));
        assertEquals(session.get("agent_id"), tool.get("agent_id"));
        for (String field : List.of("session_id", "agent_id", "created_at", "last_active_at", "head_seq", "loop_count", "status", "usage")) {
            assertTrue(tool.has(field), field);
        }

        // By agent, and by activity.
        String agent = session.get("agent_id").asText();
        Response byAgent = t.api.get(tenant, "/v1/sessions?agent_id=" + agent);
        assertTrue(byAgent.body().get("sessions").size() >= 1);
        byAgent.body().get("sessions").forEach(s -> assertEquals(agent, s.get("agent_id").asText()));
        assertEquals(0, t.api.get(tenant, "/v1/sessions?active_since=2999-01-01T00:00:00Z").body().get("sessions").size());
        assertEquals(3, t.api.get(tenant, "/v1/sessions?active_since=2000-01-01T00:00:00Z").body().get("sessions").size());
        assertEquals(0, t.api.get("someone-else", "/v1/sessions").body().get("sessions").size());

        assertEquals(400, t.api.get(tenant, "/v1/sessions?active_since=yesterday").status());
        assertEquals(400, t.api.get(tenant, "/v1/sessions?limit=0").status());
        String otherCursor = t.api.get(tenant, "/v1/sessions?limit=1").body().get("next_cursor").asText();
        Response forged = t.api.get("someone-else", "/v1/sessions?cursor=" + otherCursor);
        assertEquals(400, forged.status());
    }
}
