package dev.sessionlog.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StoreBusyException;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A session whose newest items TTL has taken (or is about to) before the archive had them: no append,
 * with or without expected_seq, and no rebuild, takes the log for shorter than it is.
 */
class ExpiredHeadTest {

    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final RecorderTestSupport t = new RecorderTestSupport(clock);
    private final List<JsonNode> events = RecorderTestSupport.fixture("tool_loop.json");

    /** The fixture appended an event a request (an item each), recorded, and nine days gone by: every item expired. */
    private StreamKey recordedAndExpired(String tenant) {
        t.appendEach(tenant, "s-tool", events);
        t.record(tenant, "s-tool");
        clock.set(T0.plus(Duration.ofDays(9)));
        return new StreamKey(tenant, "s-tool");
    }

    private void deleteItem(StreamKey key, long seq) {
        t.aws.embedded().dynamo().deleteItem(b -> b.tableName(t.aws.table("EventsTable"))
                .key(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN(Long.toString(seq)))));
    }

    private ObjectNode note(String id) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("events").addObject().put("event_id", id).set("event", Json.MAPPER.createObjectNode().put("type", "Note"));
        return body;
    }

    @Test
    void anExpectedSeqAtAnExpiredItemWhoseSuccessorTtlTookWaitsForTheRescue() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = recordedAndExpired(tenant);
        int n = events.size();
        deleteItem(key, n); // TTL took the newest; the one before is still there, expired

        // no client id: the head is read at the expected seq, not from the newest item
        ObjectNode stale = Json.MAPPER.createObjectNode().put("expected_seq", n - 1);
        stale.putArray("events").addObject().set("event", Json.MAPPER.createObjectNode().put("type", "Note"));
        ApiClient.Response r = t.api.post(tenant, "/v1/sessions/s-tool/events", stale);
        assertEquals(429, r.status(), r.body().toString());
        assertEquals(n, t.components.sessionStore().recordedThrough(key));
    }

    @Test
    void aStubIsNoHeadWhenTheArchiveGoesFurther() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = recordedAndExpired(tenant);
        int n = events.size();
        t.components.archiver().archive(key, clock.instant().minus(Duration.ofHours(24)));
        assertEquals(n, t.components.archiveMeta().load(key).archivedThrough());
        // what versions before expiry left: stubs for the first two, and TTL has taken the rest
        for (long seq = 1; seq <= n; seq++) {
            deleteItem(key, seq);
        }
        List<EventRecord> firstTwo = t.components.eventLog().read(key, 0, 2);
        for (EventRecord e : firstTwo) {
            t.aws.embedded().dynamo().putItem(b -> b.tableName(t.aws.table("EventsTable")).item(EventItems.stub(key, e, 10)));
        }

        ApiClient.Response r = t.api.post(tenant, "/v1/sessions/s-tool/events", note("after"));
        assertEquals(201, r.status(), r.body().toString());
        assertEquals(n + 1, r.body().get("events").get(0).get("seq").asLong(), "the log goes on after the archive, not the stub");
        ApiClient.Response verified = t.api.get(tenant, "/v1/sessions/s-tool/verify");
        assertTrue(verified.body().get("ok").asBoolean(), verified.body().toString());
    }

    @Test
    void aRebuildThatCannotReadTheSessionsNewestEventsChangesNothing() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = recordedAndExpired(tenant);
        int n = events.size();
        deleteItem(key, n); // taken by TTL, not yet in the archive
        StoreBusyException busy = assertThrows(StoreBusyException.class, () -> t.components.streamRecorder().rebuild(key));
        assertTrue(busy.getMessage().contains("recorded through " + n), busy.getMessage());
        assertEquals(n, t.components.sessionStore().recordedThrough(key), "the state still knows how far the session goes");
    }
}
