package dev.sessionlog.erase;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.EraseWork;
import dev.sessionlog.function.Settings;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * SESSION_RETENTION=P30D erases exactly the sessions whose last event is older than 30 days (a fork's
 * activity starts at its creation), through the same erasure as a DELETE, found through an index.
 */
class RetentionTest {

    static final Instant T0 = Instant.parse("2026-09-01T10:00:00Z");

    @Test
    void retentionErasesExactlyTheSessionsPastTheWindow() {
        MutableClock clock = new MutableClock(T0);
        Settings settings = AwsTestResource.settings().withSessionRetention(Duration.ofDays(30));
        RecorderTestSupport t = new RecorderTestSupport(clock, settings);
        String tenant = RecorderTestSupport.newTenant();
        // last events: 40 days ago, 31 days ago, 29 days ago, today; a fork made today of the oldest
        Map<String, Integer> daysAgo = Map.of("old-40", 40, "old-31", 31, "young-29", 29, "today", 0);
        Instant now = T0.plus(Duration.ofDays(60));
        for (Map.Entry<String, Integer> s : new TreeMap<>(daysAgo).entrySet()) {
            clock.set(now.minus(Duration.ofDays(s.getValue())));
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.withArray("events").addObject().put("event_id", "e-1").putObject("event").put("type", "Note");
            assertEquals(201, t.api.post(tenant, "/v1/sessions/" + s.getKey() + "/events", body).status());
            t.record(tenant, s.getKey());
        }
        clock.set(now);
        assertEquals(201, t.api.post(tenant, "/v1/sessions/old-40/fork",
                Json.MAPPER.createObjectNode().put("new_session_id", "fork-of-old")).status());
        t.record(tenant, "fork-of-old");

        EraseWork.RunSummary first = t.components.eraseWork().run();
        assertEquals(2, first.sessionsExpired(), first::toString);
        clock.set(now.plus(Eraser.GRACE).plusSeconds(1));
        EraseWork.RunSummary second = t.components.eraseWork().run();
        assertEquals(2, second.sessionsErased(), second::toString);
        assertEquals(0, second.sessionsExpired(), "each session is marked once");

        for (String gone : List.of("old-40", "old-31")) {
            assertEquals(410, t.api.post(tenant, "/v1/sessions/" + gone + "/events", Json.MAPPER.createObjectNode()
                    .set("events", Json.MAPPER.createArrayNode().add(Json.MAPPER.createObjectNode()
                            .set("event", Json.MAPPER.createObjectNode().put("type", "Note"))))).status(), gone);
        }
        for (String kept : List.of("young-29", "today", "fork-of-old")) {
            assertEquals(200, t.api.get(tenant, "/v1/sessions/" + kept + "/events").status(), kept);
        }
        assertEquals(1, t.readAll(tenant, "fork-of-old", 100).size(), "the fork kept what it inherited from the erased session");
    }
}
