package dev.sessionlog.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Every index of the sessions table sorts by the session's activity. A save within a minute of the
 * stored activity leaves it, and so every index entry, where it is: the list's order, its
 * last_event_at and active_since are that coarse, the session's own last_event_at is exact; the
 * idle flush looks at the exact time before it acts, and the retention waits the step out (it is at
 * most a minute late, never early). (Clocks in 1999: before every
 * other test's sessions, so the sweeps below find only these.)
 */
class CoarseActivityTest {

    static final Instant T0 = Instant.parse("1999-01-01T00:00:00Z");

    final MutableClock clock = new MutableClock(T0);

    private static void note(RecorderTestSupport t, String tenant, String session, int n) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().put("event_id", "e-" + n).putObject("event").put("type", "Note").put("n", n);
        assertEquals(201, t.api.post(tenant, "/v1/sessions/" + session + "/events", body).status());
        t.record(tenant, session);
    }

    private static String activity(RecorderTestSupport t, StreamKey key) {
        Map<String, AttributeValue> item = t.aws.embedded().dynamo().getItem(b -> b.tableName(t.aws.table("SessionsTable"))
                .key(Map.of("pk", AttributeValue.fromS(key.pk())))).item();
        return item.get(SessionItems.ACTIVITY).s();
    }

    @Test
    void savesWithinAMinuteOfTheActivityLeaveItAndTheListLagsByLessThanAMinute() {
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-busy");
        note(t, tenant, "s-busy", 1);
        assertEquals("1999-01-01T00:00:00.000Z", activity(t, key));

        clock.set(T0.plusSeconds(50));
        note(t, tenant, "s-busy", 2);
        assertEquals("1999-01-01T00:00:00.000Z", activity(t, key), "within a minute: no index entry moves");
        assertEquals("1999-01-01T00:00:50Z", t.session(tenant, "s-busy").get("last_event_at").asText(), "the session's own is exact");
        JsonNode listed = t.api.get(tenant, "/v1/sessions").body().get("sessions").get(0);
        assertEquals("1999-01-01T00:00:00.000Z", listed.get("last_event_at").asText(), "the list's lags by less than a minute");

        clock.set(T0.plusSeconds(70));
        note(t, tenant, "s-busy", 3);
        assertEquals("1999-01-01T00:01:10.000Z", activity(t, key), "a minute on, it moves to the last event");
        assertEquals("1999-01-01T00:01:10.000Z", t.api.get(tenant, "/v1/sessions").body().get("sessions").get(0).get("last_event_at").asText());
    }

    @Test
    void theIdleFlushWaitsForTheExactLastEvent() {
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings().withIdleTimeout(Duration.ofHours(1)));
        String tenant = RecorderTestSupport.newTenant();
        List<JsonNode> loop = RecorderTestSupport.fixture("tool_loop.json");
        t.append(tenant, "s-tool", loop.subList(0, 3));
        t.record(tenant, "s-tool");
        clock.set(T0.plusSeconds(50));
        t.append(tenant, "s-tool", loop.subList(3, 4), 3);
        t.record(tenant, "s-tool");
        assertEquals("1999-01-01T00:00:00.000Z", activity(t, new StreamKey(tenant, "s-tool")));

        // an hour after the activity, but not after the last event: still open
        clock.set(T0.plus(Duration.ofHours(1)).plusSeconds(10));
        t.components.idleSweeper().sweep();
        t.record(tenant, "s-tool");
        assertEquals("active", t.session(tenant, "s-tool").get("status").asText());

        clock.set(T0.plus(Duration.ofHours(1)).plusSeconds(51));
        t.components.idleSweeper().sweep();
        t.record(tenant, "s-tool");
        assertEquals("completed", t.session(tenant, "s-tool").get("status").asText());
    }

    @Test
    void retentionWaitsForTheExactLastEvent() {
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings().withSessionRetention(Duration.ofDays(1)));
        String tenant = RecorderTestSupport.newTenant();
        note(t, tenant, "s-kept", 1);
        clock.set(T0.plusSeconds(50));
        note(t, tenant, "s-kept", 2);

        clock.set(T0.plus(Duration.ofDays(1)).plusSeconds(10));
        t.components.retentionSweeper().sweep();
        assertEquals(200, t.api.get(tenant, "/v1/sessions/s-kept/events").status(), "a day after the activity, not after the last event");

        clock.set(T0.plus(Duration.ofDays(1)).plusSeconds(51));
        t.components.retentionSweeper().sweep();
        assertEquals(200, t.api.get(tenant, "/v1/sessions/s-kept/events").status(), "past it by less than the activity's step: not yet");

        clock.set(T0.plus(Duration.ofDays(1)).plusSeconds(61));
        t.components.retentionSweeper().sweep();
        assertNotEquals(200, t.api.get(tenant, "/v1/sessions/s-kept/events").status(), "past the retention: being erased");
    }
}
