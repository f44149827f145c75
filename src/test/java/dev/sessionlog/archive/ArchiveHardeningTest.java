package dev.sessionlog.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Events;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** Archival's defects, each shown on the real engine: object lookup, leases, bodies left in S3. */
class ArchiveHardeningTest {

    /** This class stores tens of thousands of items: they go when it is done (moto keeps all in memory). */
    @org.junit.jupiter.api.AfterAll
    static void releaseTheStore() {
        dev.sessionlog.testing.AwsTestResource.resetDynamo();
    }

    static final Instant LONG_AGO = Instant.parse("2026-11-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    final MutableClock clock = new MutableClock(LONG_AGO);

    private RecorderTestSupport support(int segmentMaxEvents, long segmentMaxBytes, Duration functionTimeout) {
        Settings settings = AwsTestResource.settings().withArchive(ArchiveSettings.forFunctionTimeout(Duration.ofHours(24), segmentMaxEvents,
                segmentMaxBytes, functionTimeout));
        return new RecorderTestSupport(clock, settings);
    }

    private static void appendNotes(RecorderTestSupport t, String tenant, String session, int count, int bytes) {
        for (int from = 0; from < count; from += 100) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            for (int i = from; i < Math.min(count, from + 100); i++) {
                body.withArray("events").addObject().put("event_id", "n-" + i)
                        .set("event", Json.MAPPER.createObjectNode().put("type", "Note").put("n", i).put("text", "y".repeat(bytes)));
            }
            assertEquals(201, t.api.post(tenant, "/v1/sessions/" + session + "/events", body).status());
        }
    }

    /**
     * Objects written under a byte limit can hold far fewer events than the event limit: more than
     * 1,000 of them then start within (seq - max events, seq], and the one holding seq must still be found.
     */
    @Test
    void anEventBehindMoreThanAThousandSmallObjectsIsFound() {
        RecorderTestSupport t = support(2000, 1, Duration.ofMinutes(5)); // a byte limit of 1: one event per object
        String tenant = RecorderTestSupport.newTenant();
        clock.set(LONG_AGO);
        appendNotes(t, tenant, "s-small", 1005, 1);
        t.record(tenant, "s-small");
        clock.set(NOW);
        Archiver.Report report = t.components.archiver().archive(new StreamKey(tenant, "s-small"), NOW.minus(Duration.ofHours(24)));
        assertEquals(1005, report.objectsWritten());
        var page = t.api.get(tenant, "/v1/sessions/s-small/events?after_seq=1001&limit=3");
        assertEquals(200, page.status(), page.body()::toString);
        assertEquals(1002, page.body().get("events").get(0).get("seq").asLong());
        assertEquals(1001, page.body().get("events").get(0).get("event").get("n").asLong());
    }

    @Test
    void theLeaseIsTheFunctionsTimeoutPlusAMarginAndARunStopsBeforeIt() {
        ArchiveSettings settings = ArchiveSettings.forFunctionTimeout(Duration.ofHours(24), 1000, 1024, Duration.ofSeconds(300));
        assertEquals(Duration.ofSeconds(360), settings.lease());
        assertEquals(Duration.ofSeconds(240), settings.runBudget());
        assertTrue(settings.runBudget().compareTo(Duration.ofSeconds(300)) < 0, "a run ends before its function would be stopped");
    }

    /**
     * A run whose lease ran out (another run took the session over) can touch neither the watermark
     * nor the lease it no longer holds; the session ends archived exactly once.
     */
    @Test
    void aStaleRunCannotMoveTheWatermarkOrReleaseAnotherRunsLease() {
        RecorderTestSupport t = support(10, 8L * 1024 * 1024, Duration.ofSeconds(300));
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-lease");
        clock.set(LONG_AGO);
        appendNotes(t, tenant, "s-lease", 40, 10);
        t.record(tenant, "s-lease");
        ArchiveMeta meta = t.components.archiveMeta();
        clock.set(NOW);
        assertTrue(meta.acquireLease(key, NOW, NOW.plus(Duration.ofSeconds(360)), "run-a"));
        assertFalse(meta.acquireLease(key, NOW.plusSeconds(10), NOW.plusSeconds(370), "run-b"), "held by run-a");
        // run-a stalls past its lease; run-b takes the session over and archives it.
        clock.set(NOW.plusSeconds(400));
        Archiver.Report b = t.components.archiver().archive(key, NOW.minus(Duration.ofHours(24)));
        assertEquals(40, b.eventsArchived());
        // run-a wakes up: it cannot move the watermark or release anything.
        assertThrows(ConditionalCheckFailedException.class, () -> meta.moveWatermark(key, 0, 10, "chain-10", 10, "run-a"));
        assertTrue(meta.acquireLease(key, NOW.plusSeconds(400), NOW.plusSeconds(800), "run-c"));
        meta.finish(key, 40, null, "run-a");
        assertEquals("run-c", leaseOwner(t, key), "run-a removed nothing of run-c's");
        assertEquals(40, meta.load(key).archivedThrough());
        assertEquals(40, t.readAll(tenant, "s-lease", 7).size());
    }

    private static String leaseOwner(RecorderTestSupport t, StreamKey key) {
        Map<String, AttributeValue> item = t.aws.embedded().dynamo().getItem(b -> b.tableName(t.aws.table("EventsTable")).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN("0")))).item();
        return item.get("lease_owner") == null ? null : item.get("lease_owner").s();
    }

    /** Archived events' large bodies stay while their items do (an item refers to its body); every body reads back. */
    @Test
    void theLargeBodiesOfArchivedEventsStayWhileTheirItemsDo() {
        RecorderTestSupport t = support(1000, 8L * 1024 * 1024, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-bodies");
        clock.set(LONG_AGO);
        for (int i = 0; i < 3; i++) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.withArray("events").addObject().put("event_id", "large-" + i).set("event", Json.MAPPER.createObjectNode()
                    .put("type", "Note").put("blob", Events.randomText(i, 300_000)));
            assertEquals(201, t.api.post(tenant, "/v1/sessions/s-bodies/events", body).status());
        }
        t.record(tenant, "s-bodies");
        assertEquals(3, t.components.payloadStore().keys(key).size());
        clock.set(NOW);
        assertEquals(3, t.components.archiver().archive(key, NOW.minus(Duration.ofHours(24))).eventsArchived());
        assertEquals(3, t.components.payloadStore().keys(key).size(), "the items still refer to them until TTL deletes the items");
        List<JsonNode> read = t.readAll(tenant, "s-bodies", 10);
        Set<String> blobs = new HashSet<>();
        read.forEach(r -> blobs.add(r.get("event").get("blob").asText()));
        assertEquals(3, blobs.size(), "every body still reads back");
        assertEquals(Events.randomText(0, 300_000), read.get(0).get("event").get("blob").asText());
    }
}
