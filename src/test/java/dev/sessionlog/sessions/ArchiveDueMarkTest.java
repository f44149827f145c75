package dev.sessionlog.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The recorder puts a session on the archive's due index once, not on every batch: a batch folded
 * while the session is certainly due (its newest marked event younger than half the hot window)
 * writes the session's item and nothing else, and archival still takes every event.
 */
class ArchiveDueMarkTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final RecorderTestSupport t = new RecorderTestSupport(clock);
    private final List<JsonNode> events = RecorderTestSupport.fixture("tool_loop.json");

    @Test
    void aBatchSoonAfterAMarkedOneWritesOnlyTheSessionsItemAndArchivalStillTakesEveryEvent() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = firstHalfRecorded(tenant);
        assertEquals(events.size() / 2, indexedThrough(key));

        clock.advance(Duration.ofHours(11)); // within half of the 24 h hot window
        secondHalfRecorded(tenant);
        assertEquals(List.of(), updatesOfTheEventsTable(), "the session is due already: no second write");
        assertEquals(events.size() / 2, indexedThrough(key), "the mark stays where the first batch put it");
        assertEquals(T0, archiveAfter(key));
        assertEquals(events.size(), t.components.sessionStore().load(key).orElseThrow().fold().recordedThroughSeq());

        // a day after the last event every event is archived, and the session leaves the due index
        clock.advance(Duration.ofHours(25));
        t.components.archiver().archive(key, clock.instant().minus(Duration.ofHours(24)));
        assertEquals(events.size(), t.components.archiveMeta().load(key).archivedThrough());
        assertFalse(due(key), "nothing is left above the watermark");
        assertEquals(events.size(), t.readAll(tenant, "s-tool", 7).size());
    }

    @Test
    void aBatchLongAfterTheLastMarkMarksAgain() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = firstHalfRecorded(tenant);

        clock.advance(Duration.ofHours(13)); // past half the hot window: an archival may have taken it all since
        secondHalfRecorded(tenant);
        assertEquals(1, updatesOfTheEventsTable().size());
        assertEquals(events.size(), indexedThrough(key));
        assertTrue(due(key));
    }

    @Test
    void aSessionArchivedWholeIsMarkedDueAgainByItsNextBatch() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = firstHalfRecorded(tenant);
        clock.advance(Duration.ofHours(25));
        t.components.archiver().archive(key, clock.instant().minus(Duration.ofHours(24)));
        assertFalse(due(key));

        secondHalfRecorded(tenant);
        assertTrue(due(key));
        Instant second = clock.instant();
        assertEquals(second, archiveAfter(key));
        clock.advance(Duration.ofHours(25));
        t.components.archiver().archive(key, clock.instant().minus(Duration.ofHours(24)));
        assertEquals(events.size(), t.components.archiveMeta().load(key).archivedThrough());
    }

    @Test
    void aRebuildOfEventsTheStreamDidNotBringMarksTheSessionDue() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = firstHalfRecorded(tenant);
        clock.advance(Duration.ofHours(25));
        t.components.archiver().archive(key, clock.instant().minus(Duration.ofHours(24)));
        assertFalse(due(key), "archived whole");

        int half = events.size() / 2;
        t.append(tenant, "s-tool", events.subList(half, events.size()), half);
        t.components.streamRecorder().rebuild(key); // before (or instead of) their stream records
        assertTrue(due(key), "the rebuilt events are on the due index");
        t.record(tenant, "s-tool"); // their records, folded already: nothing more
        clock.advance(Duration.ofHours(25));
        t.components.archiver().archive(key, clock.instant().minus(Duration.ofHours(24)));
        assertEquals(events.size(), t.components.archiveMeta().load(key).archivedThrough());
    }

    @Test
    void appendsNeverReuseSeqsThatTtlTookBeforeTheyWereArchivedThoughTheirBatchLeftTheMarkBehind() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = firstHalfRecorded(tenant);
        int half = events.size() / 2;
        clock.advance(Duration.ofHours(1));
        secondHalfRecorded(tenant); // not marked: indexed_through stays at the first half
        assertEquals(half, indexedThrough(key));

        // The archiver took the first half, then stopped; TTL deleted the second half's item, and its
        // REMOVE record is not handled yet (the rescue would write it to the archive).
        clock.set(T0.plus(Duration.ofHours(25)));
        t.components.archiver().archive(key, T0.plus(Duration.ofMinutes(30)));
        assertEquals(half, t.components.archiveMeta().load(key).archivedThrough());
        t.aws.embedded().dynamo().deleteItem(b -> b.tableName(t.aws.table("EventsTable"))
                .key(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN(Long.toString(half + 1)))));
        clock.set(T0.plus(Duration.ofDays(9))); // every item left has expired too

        // The head's items are gone or expired and the watermark is at the first half, but the recorder
        // folded the second: an append waits for the rescue (429) rather than take seq half + 1 again.
        dev.sessionlog.testing.ApiClient.Response late = t.api.post(tenant, "/v1/sessions/s-tool/events",
                dev.sessionlog.event.Json.MAPPER.createObjectNode().set("events", dev.sessionlog.event.Json.MAPPER.createArrayNode()
                        .add(dev.sessionlog.event.Json.MAPPER.createObjectNode().put("event_id", "late")
                                .set("event", dev.sessionlog.event.Json.MAPPER.createObjectNode().put("type", "Note")))));
        assertEquals(429, late.status(), late.body().toString());
        assertTrue(late.body().toString().contains((half + 1) + ".." + events.size()), late.body().toString());
    }

    /** The fixture's first half appended at the clock's time and recorded (the session's first batch). */
    private StreamKey firstHalfRecorded(String tenant) {
        t.append(tenant, "s-tool", events.subList(0, events.size() / 2));
        t.record(tenant, "s-tool");
        return new StreamKey(tenant, "s-tool");
    }

    /** The rest appended at the clock's time and recorded; the AWS calls counted from here. */
    private void secondHalfRecorded(String tenant) {
        int half = events.size() / 2;
        t.append(tenant, "s-tool", events.subList(half, events.size()), half);
        AwsCalls.reset();
        t.record(tenant, "s-tool");
    }

    private List<UpdateItemRequest> updatesOfTheEventsTable() {
        String table = t.aws.table("EventsTable");
        return AwsCalls.calls().stream().filter(c -> c.request() instanceof UpdateItemRequest u && u.tableName().equals(table))
                .map(c -> (UpdateItemRequest) c.request()).toList();
    }

    private Map<String, AttributeValue> archiveItem(StreamKey key) {
        return t.aws.embedded().dynamo().getItem(b -> b.tableName(t.aws.table("EventsTable"))
                .key(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN("0"))).consistentRead(true)).item();
    }

    private long indexedThrough(StreamKey key) {
        AttributeValue v = archiveItem(key).get("indexed_through");
        assertNotNull(v, "the session was marked");
        return Long.parseLong(v.n());
    }

    private Instant archiveAfter(StreamKey key) {
        return Instant.from(EventRecordJson.RECORDED_AT.parse(archiveItem(key).get("archive_after").s()));
    }

    /** On the due index: the index's key attributes are there. */
    private boolean due(StreamKey key) {
        Map<String, AttributeValue> item = archiveItem(key);
        return item.containsKey("archive_after") && item.containsKey("archive_shard");
    }
}
