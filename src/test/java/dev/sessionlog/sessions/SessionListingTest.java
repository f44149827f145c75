package dev.sessionlog.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The list of a tenant's sessions, newest last_event_at first, read from sharded index partitions
 * (so that no single partition takes every save of a busy tenant) and merged: every session once, in
 * order, across pages; the cursor is bound to the tenant and the filters.
 */
class SessionListingTest {

    @Test
    void sessionsSpreadOverShardsAreListedOnceEachNewestFirstAcrossPages() {
        Instant start = Instant.parse("2026-11-21T10:00:00Z");
        MutableClock clock = new MutableClock(start);
        RecorderTestSupport t = new RecorderTestSupport(clock);
        String tenant = RecorderTestSupport.newTenant();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String s = "s-" + i;
            clock.set(start.plus(Duration.ofMinutes(i)));
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.withArray("events").addObject().set("event", Json.MAPPER.createObjectNode().put("type", "AgentStart")
                    .put("agent_id", i % 2 == 0 ? "even" : "odd").put("session_id", s).put("loop_id", s + ".m.0")
                    // the agent's own clock runs backwards: the list follows the server's
                    .put("timestamp", start.minus(Duration.ofMinutes(i)).toString()));
            assertEquals(201, t.api.post(tenant, "/v1/sessions/" + s + "/events", body).status());
            t.record(tenant, s);
            expected.add(0, s);
        }
        Set<String> shards = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            shards.add(SessionItems.tenantKey(tenant, SessionItems.listShard("s-" + i)));
        }
        assertTrue(shards.size() >= 3, "20 sessions use several shards: " + shards.size());

        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = t.api.get(tenant, "/v1/sessions?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, page.status(), page.body()::toString);
            page.body().get("sessions").forEach(s -> listed.add(s.get("session_id").asText()));
            cursor = page.body().get("next_cursor").isNull() ? null : page.body().get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 20);
        assertEquals(expected, listed, "newest last_event_at first, each once");

        List<String> odd = new ArrayList<>();
        t.api.get(tenant, "/v1/sessions?agent_id=odd&limit=100").body().get("sessions").forEach(s -> odd.add(s.get("session_id").asText()));
        assertEquals(expected.stream().filter(s -> Integer.parseInt(s.substring(2)) % 2 == 1).toList(), odd);
        JsonNode first = t.api.get(tenant, "/v1/sessions?limit=1").body();
        assertEquals(start.plus(Duration.ofMinutes(19)).toString().replace("Z", ".000Z"), first.get("sessions").get(0).get("last_event_at").asText());
        assertEquals(start.minus(Duration.ofMinutes(19)).toString(), first.get("sessions").get(0).get("last_active_at").asText(),
                "last_active_at is the agent's, from AgentStart");
        assertEquals(10, t.api.get(tenant, "/v1/sessions?active_since=" + start.plus(Duration.ofMinutes(10)) + "&limit=100")
                .body().get("sessions").size());

        // The cursor is the listing's own.
        String next = first.get("next_cursor").asText();
        assertEquals(400, t.api.get(tenant, "/v1/sessions?limit=1&active_since=2000-01-01T00:00:00Z&cursor=" + next).status());
        assertEquals(400, t.api.get(tenant, "/v1/sessions?limit=1&agent_id=odd&cursor=" + next).status());
        assertEquals(400, t.api.get("someone-else", "/v1/sessions?limit=1&cursor=" + next).status());
        assertEquals(400, t.api.get(tenant, "/v1/sessions?cursor=not-a-cursor").status());
    }
}
