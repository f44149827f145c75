package dev.sessionlog.api;

import static dev.sessionlog.testing.Events.agentStart;
import static dev.sessionlog.testing.Events.batch;
import static dev.sessionlog.testing.Events.envelope;
import static dev.sessionlog.testing.Events.userMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.testing.AwsTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class TenantAndChildrenApiTest extends ApiTestBase {

    @Test
    void anotherTenantSees404AndItsAppendCreatesItsOwnSession() {
        String s = newSession();
        assertEquals(201, api.post("tenant-a", events(s), batch(envelope("root", null, agentStart(s, s + ".m.0")),
                envelope("kid", "root", userMessage(s + ".m.0", "secret")))).status());

        assertEquals("session_not_found", api.get("tenant-b", events(s)).error().get("code").asText());
        assertEquals(404, api.get("tenant-b", "/v1/sessions/" + s + "/head").status());
        assertEquals(404, api.get("tenant-b", "/v1/sessions/" + s + "/events/root/children").status());

        Response b = api.post("tenant-b", events(s), batch(envelope("root", null, agentStart(s, s + ".m.0"))));
        assertEquals(201, b.status());
        assertEquals(1, b.body().get("head_seq").asLong());
        // B's own children of "root" do not include A's child.
        assertEquals(0, api.get("tenant-b", "/v1/sessions/" + s + "/events/root/children").body().get("children").size());
        assertEquals(2, api.get("tenant-a", events(s)).body().get("head_seq").asLong());
        assertEquals(1, api.get("tenant-b", events(s)).body().get("head_seq").asLong());
    }

    @Test
    void tenantsThatLookAlikeInKeysStayApart() {
        String s = newSession();
        assertEquals(201, api.post("a#b", events(s), batch(envelope(null, null, userMessage("x.m.0", "one")))).status());
        assertEquals(400, api.get("a", events("b#" + s)).status()); // '#' can never be in a session id
        assertEquals(404, api.get("a", events(s)).status());
        assertEquals(404, api.get("a%23b", events(s)).status());
    }

    @Test
    void childrenAreFoundInOtherSessionsAndPaged() {
        String parent = newSession();
        String child1 = newSession();
        String child2 = newSession();
        String T = "tenant-c";
        assertEquals(201, api.post(T, events(parent), batch(envelope("spawn-" + parent, null, agentStart(parent, parent + ".m.0")))).status());
        String p = "spawn-" + parent;
        assertEquals(201, api.post(T, events(parent), batch(envelope(null, p, userMessage(parent + ".m.0", "same session")))).status());
        assertEquals(201, api.post(T, events(child1), batch(envelope(null, p, parent, agentStart(child1, child1 + ".m.0")),
                envelope(null, null, userMessage(child1 + ".m.0", "not a child")))).status());
        assertEquals(201, api.post(T, events(child2), batch(envelope(null, p, parent, agentStart(child2, child2 + ".m.0")))).status());
        // An event of child2 whose parent has the same id in child2's own session: not a child of the parent's event.
        assertEquals(201, api.post(T, events(child2), batch(envelope(p, null, userMessage(child2 + ".m.0", "same id, other session")),
                envelope(null, p, userMessage(child2 + ".m.0", "child of child2's own " + p)))).status());

        List<String> found = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = api.get(T, "/v1/sessions/" + parent + "/events/" + p + "/children?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, page.status(), () -> page.body().toString());
            for (JsonNode c : page.body().get("children")) {
                assertEquals(p, c.get("parent_event_id").asText());
                assertEquals(c.get("session_id").asText().equals(parent) ? "null" : parent, c.get("parent_session_id").asText());
                found.add(c.get("session_id").asText() + "/" + c.get("seq").asLong());
            }
            cursor = page.body().get("next_cursor").isNull() ? null : page.body().get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(3, found.size(), found::toString);
        assertTrue(found.contains(parent + "/2"));
        assertTrue(found.contains(child1 + "/1"));
        assertTrue(found.contains(child2 + "/1"));

        assertEquals("event_not_found", api.get(T, "/v1/sessions/" + parent + "/events/nope/children").error().get("code").asText());
        assertEquals(400, api.get(T, "/v1/sessions/" + parent + "/events/" + p + "/children?cursor=garbage").status());
    }
}
