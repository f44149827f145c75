package dev.sessionlog.archive;

import static dev.sessionlog.testing.JsonAssert.assertSameJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.AgentRunGenerator;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Archival on moto and S3Proxy: objects as the contract names them, crashes, races, costs, reads. */
class ArchiverTest {

    /** This class stores tens of thousands of items: they go when it is done (moto keeps all in memory). */
    @org.junit.jupiter.api.AfterAll
    static void releaseTheStore() {
        dev.sessionlog.testing.AwsTestResource.resetDynamo();
    }

    static final Instant LONG_AGO = Instant.parse("2026-11-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    final MutableClock clock = new MutableClock(LONG_AGO);

    RecorderTestSupport support(int segmentMaxEvents, Duration lease) {
        Settings settings = AwsTestResource.settings().withArchive(new ArchiveSettings(Duration.ofHours(24), segmentMaxEvents, 8L * 1024 * 1024,
                100_000, lease, ArchiveSettings.DEFAULT_GRACE));
        return new RecorderTestSupport(clock, settings);
    }

    /** A session of {@code old} events appended long ago and {@code hot} appended now, folded by the recorder. */
    static List<JsonNode> session(RecorderTestSupport t, MutableClock clock, String tenant, String session, int old, int hot) {
        List<JsonNode> events = AgentRunGenerator.generate(AgentRunGenerator.Config.of(session, old / 8 + hot / 8 + 10))
                .events().stream().map(EventRecord::event).limit(old + hot).toList();
        assertEquals(old + hot, events.size());
        clock.set(LONG_AGO);
        t.append(tenant, session, events.subList(0, old));
        clock.set(NOW);
        if (hot > 0) {
            appendWithIds(t, tenant, session, events.subList(old, old + hot), old);
        }
        t.record(tenant, session);
        return events;
    }

    private static void appendWithIds(RecorderTestSupport t, String tenant, String session, List<JsonNode> events, int offset) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        var array = body.putArray("events");
        for (int i = 0; i < events.size(); i++) {
            array.addObject().put("event_id", "e-" + (offset + i + 1)).set("event", events.get(i));
        }
        assertEquals(201, t.api.post(tenant, "/v1/sessions/" + session + "/events", body).status());
    }

    private List<S3Object> objects(RecorderTestSupport t, String tenant, String session) {
        String prefix = t.components.segmentStore().sessionPrefix(new StreamKey(tenant, session));
        return t.aws.embedded().s3().listObjectsV2(b -> b.bucket(AwsTestResource.BUCKET).prefix(prefix)).contents();
    }

    /** Every seq 1..n read back exactly once, equal to what was appended. */
    private static void assertReadsExactlyOnce(RecorderTestSupport t, String tenant, String session, List<JsonNode> sent) {
        List<JsonNode> read = t.readAll(tenant, session, 700);
        assertEquals(sent.size(), read.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(i + 1, read.get(i).get("seq").asLong());
            assertSameJson(sent.get(i), read.get(i).get("event"));
        }
    }

    @Test
    void tenThousandEventsArchiveIntoTenObjectsAsTheContractNamesThem() {
        RecorderTestSupport t = support(1000, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        List<JsonNode> sent = session(t, clock, tenant, "s-10k", 9_950, 50);
        List<JsonNode> before = t.readAll(tenant, "s-10k", 1000);
        JsonNode sessionBefore = t.session(tenant, "s-10k");

        Archiver.Report report = t.components.archiver().archive(new StreamKey(tenant, "s-10k"), NOW.minus(Duration.ofHours(24)));
        assertEquals(9_950, report.eventsArchived());
        assertEquals(10, report.objectsWritten());

        List<S3Object> objects = objects(t, tenant, "s-10k");
        assertEquals(10, objects.size());
        long first = 1;
        for (S3Object o : objects) {
            long last = Math.min(first + 999, 9_950);
            assertTrue(o.key().endsWith("tenant=" + tenant + "/session=s-10k/" + String.format("%020d-%020d.jsonl.gz", first, last)), o.key());
            byte[] gz = t.aws.embedded().s3().getObjectAsBytes(b -> b.bucket(AwsTestResource.BUCKET).key(o.key())).asByteArray();
            String[] lines = new String(dev.sessionlog.log.dynamo.EventBodyCodec.gunzip(gz), StandardCharsets.UTF_8).split("\n");
            assertEquals(last - first + 1, lines.length);
            for (int i = 0; i < lines.length; i++) {
                // exactly the read endpoint's record, line by line
                assertSameJson(before.get((int) (first - 1) + i), Json.parse(lines[i].getBytes(StandardCharsets.UTF_8)));
            }
            first = last + 1;
        }
        JsonNode page = t.api.get(tenant, "/v1/sessions/s-10k/events?after_seq=9990").body();
        assertEquals(9_950, page.get("archived_through_seq").asLong());
        assertEquals(10_000, page.get("head_seq").asLong());
        assertReadsExactlyOnce(t, tenant, "s-10k", sent);

        // The materialized session is unchanged, and a rebuild from S3 + DynamoDB gives it again.
        ObjectNode after = (ObjectNode) t.session(tenant, "s-10k");
        assertEquals(9_950, after.get("archived_through_seq").asLong());
        after.put("archived_through_seq", 0);
        assertSameJson(sessionBefore, after);
        t.components.streamRecorder().rebuild(new StreamKey(tenant, "s-10k"));
        ObjectNode rebuilt = (ObjectNode) t.session(tenant, "s-10k");
        rebuilt.put("archived_through_seq", 0);
        assertSameJson(sessionBefore, rebuilt);

        // Archival writes nothing in place of the archived events: their items stay as written (ids for
        // retries, children) until their TTL deletes them.
        Map<String, AttributeValue> holding17 = t.aws.embedded().dynamo().query(b -> b.tableName(AwsTestResource.aws().table("EventsTable"))
                .keyConditionExpression("pk = :pk AND seq BETWEEN :one AND :seq").scanIndexForward(false).limit(1)
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(new StreamKey(tenant, "s-10k").pk()),
                        ":one", AttributeValue.fromN("1"), ":seq", AttributeValue.fromN("17")))).items().get(0);
        assertFalse(holding17.containsKey("archived"));
        Map<String, AttributeValue> kept = dev.sessionlog.log.dynamo.EventItems.expand(holding17).stream()
                .filter(e -> e.get("seq").n().equals("17")).findFirst().orElseThrow();
        assertTrue(kept.containsKey("body") || kept.containsKey("body_gz"));
        ObjectNode retry = Json.MAPPER.createObjectNode();
        // A retry of an archived request is still recognised (e-1..e-100 were one request: one item).
        var array = retry.putArray("events");
        for (int i = 0; i < 100; i++) {
            array.addObject().put("event_id", "e-" + (i + 1)).set("event", sent.get(i));
        }
        var retried = t.api.post(tenant, "/v1/sessions/s-10k/events", retry);
        assertEquals(200, retried.status());
        assertEquals(17, retried.body().get("events").get(16).get("seq").asLong());
        assertTrue(retried.body().get("events").get(16).get("duplicate").asBoolean());

        // A second run has nothing to do.
        assertEquals(0, t.components.archiver().archive(new StreamKey(tenant, "s-10k"), NOW.minus(Duration.ofHours(24))).eventsArchived());
        assertEquals(10, objects(t, tenant, "s-10k").size());
    }

    @Test
    void aReadStartingInsideTheSeventhObjectReadsOnlyThatObject() {
        RecorderTestSupport t = support(100, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        List<JsonNode> sent = session(t, clock, tenant, "s-7th", 1_000, 20);
        t.components.archiver().archive(new StreamKey(tenant, "s-7th"), NOW.minus(Duration.ofHours(24)));
        assertEquals(10, objects(t, tenant, "s-7th").size());

        AwsCalls.reset();
        JsonNode page = t.api.get(tenant, "/v1/sessions/s-7th/events?after_seq=650&limit=20").body();
        assertEquals(651, page.get("events").get(0).get("seq").asLong());
        assertEquals(670, page.get("next_after_seq").asLong());
        List<String> gets = AwsCalls.calls("S3").stream().filter(c -> c.request() instanceof GetObjectRequest)
                .map(c -> ((GetObjectRequest) c.request()).key()).toList();
        assertEquals(1, gets.size(), gets::toString);
        assertTrue(gets.get(0).endsWith(String.format("%020d-%020d.jsonl.gz", 601, 700)));
        assertEquals(Map.of("GetObject", 1L, "ListObjectsV2", 1L), AwsCalls.countByOperation("S3"));

        // A page across the boundary between S3 and DynamoDB: no gap, no repeat.
        JsonNode across = t.api.get(tenant, "/v1/sessions/s-7th/events?after_seq=990&limit=20").body();
        for (int i = 0; i < 20; i++) {
            assertEquals(991 + i, across.get("events").get(i).get("seq").asLong());
            assertSameJson(sent.get(990 + i), across.get("events").get(i).get("event"));
        }
    }

    @Test
    void aRunThatDiesAtAnyStepLeavesEveryEventReadableOnceAndTheNextRunConverges() {
        for (String point : List.of("after-object-write", "after-watermark")) {
            RecorderTestSupport t = support(250, Duration.ofMinutes(5));
            String tenant = RecorderTestSupport.newTenant();
            List<JsonNode> sent = session(t, clock, tenant, "s-crash", 1_200, 30);
            StreamKey key = new StreamKey(tenant, "s-crash");
            AtomicBoolean crashed = new AtomicBoolean();
            Archiver dying = t.components.archiver(p -> {
                if (p.equals(point) && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException("crash at " + p);
                }
            });
            assertThrows(IllegalStateException.class, () -> dying.archive(key, NOW.minus(Duration.ofHours(24))), point);
            assertTrue(crashed.get(), point);
            assertReadsExactlyOnce(t, tenant, "s-crash", sent);

            // The crashed run still holds its lease: the next run comes after it expired.
            clock.advance(Duration.ofMinutes(6));
            t.components.archiver().archive(key, NOW.minus(Duration.ofHours(24)));
            clock.set(NOW);
            assertEquals(1_200, t.components.archiveMeta().load(key).archivedThrough(), point);
            List<S3Object> objects = objects(t, tenant, "s-crash");
            assertEquals(5, objects.size(), () -> point + ": " + objects.stream().map(S3Object::key).toList());
            assertReadsExactlyOnce(t, tenant, "s-crash", sent);
        }
    }

    @Test
    void twoConcurrentRunsEndLikeOne() throws Exception {
        RecorderTestSupport t = support(200, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        List<JsonNode> a = session(t, clock, tenant, "s-a", 1_000, 10);
        List<JsonNode> b = session(t, clock, tenant, "s-b", 600, 0);
        clock.set(NOW);
        CompletableFuture<Archiver.Report> one = CompletableFuture.supplyAsync(() -> t.components.archiver().run());
        CompletableFuture<Archiver.Report> two = CompletableFuture.supplyAsync(() -> t.components.archiver().run());
        long archived = one.get().eventsArchived() + two.get().eventsArchived();
        // Whatever else was due in the shared table, these two sessions were archived once.
        assertEquals(1_000, t.components.archiveMeta().load(new StreamKey(tenant, "s-a")).archivedThrough());
        assertEquals(600, t.components.archiveMeta().load(new StreamKey(tenant, "s-b")).archivedThrough());
        assertTrue(archived >= 1_600);
        assertEquals(5, objects(t, tenant, "s-a").size());
        assertEquals(3, objects(t, tenant, "s-b").size());
        assertReadsExactlyOnce(t, tenant, "s-a", a);
        assertReadsExactlyOnce(t, tenant, "s-b", b);
    }

    @Test
    void aRunWithOneDueSessionAmongAThousandIdleOnesTouchesOnlyTheDueOne() {
        RecorderTestSupport t = support(1000, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        // Everything else due in the shared table first, so that this run sees only what this test makes.
        clock.set(NOW);
        t.components.archiver().run();
        for (int i = 0; i < 1000; i++) {
            t.components.archiveMeta().markIndexed(new StreamKey(tenant, "idle-" + i), 5, NOW.minus(Duration.ofHours(1)));
        }
        session(t, clock, tenant, "s-due", 300, 0);
        String duePk = new StreamKey(tenant, "s-due").pk();

        AwsCalls.reset();
        Archiver.Report report = t.components.archiver().run();
        assertEquals(1, report.sessionsDue());
        assertEquals(300, report.eventsArchived());
        List<AwsCalls.Call> dynamo = AwsCalls.calls("DynamoDb");
        long indexReads = dynamo.stream().filter(c -> c.request().toString().contains("IndexName=archive_due")).count();
        assertEquals(ArchiveMeta.DUE_SHARDS, indexReads);
        Set<String> others = new HashSet<>();
        for (AwsCalls.Call c : dynamo) {
            String request = c.request().toString();
            if (!request.contains("IndexName=archive_due") && !request.contains(duePk)) {
                others.add(c.operation() + " " + request);
            }
        }
        assertEquals(Set.of(), others);
        assertTrue(dynamo.size() < 40, () -> dynamo.size() + " DynamoDB calls: " + AwsCalls.countByOperation("DynamoDb"));
        // the archive object, and its sealed checkpoint (in the checkpoint bucket); no LIST: no run
        // stopped half-way and the hot items go on from the watermark, so no object can be above it
        assertEquals(Map.of("PutObject", 2L), AwsCalls.countByOperation("S3"));
    }

    @Test
    void childrenAndLookupsOfArchivedEventsStillWork() {
        RecorderTestSupport t = support(100, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        clock.set(LONG_AGO);
        ObjectNode body = Json.MAPPER.createObjectNode();
        var events = body.putArray("events");
        events.addObject().put("event_id", "root").set("event", Json.MAPPER.createObjectNode().put("type", "Note").put("n", 0));
        for (int i = 1; i <= 150; i++) {
            events.addObject().put("event_id", "c-" + i).put("parent_event_id", "root")
                    .set("event", Json.MAPPER.createObjectNode().put("type", "Note").put("n", i));
        }
        // 151 events in two requests of at most 100
        for (int[] range : new int[][] {{0, 100}, {100, 151}}) {
            ObjectNode request = Json.MAPPER.createObjectNode();
            for (int i = range[0]; i < range[1]; i++) {
                request.withArray("events").add(events.get(i));
            }
            assertEquals(201, t.api.post(tenant, "/v1/sessions/s-kids/events", request).status());
        }
        clock.set(NOW);
        t.record(tenant, "s-kids");
        t.components.archiver().archive(new StreamKey(tenant, "s-kids"), NOW.minus(Duration.ofHours(24)));
        assertEquals(151, t.components.archiveMeta().load(new StreamKey(tenant, "s-kids")).archivedThrough());

        // A page of archived children: their items are whole until TTL deletes them, so no S3 read.
        AwsCalls.reset();
        JsonNode firstPage = t.api.get(tenant, "/v1/sessions/s-kids/events/root/children?limit=40").body();
        assertEquals(40, firstPage.get("children").size());
        assertEquals(Map.of(), AwsCalls.countByOperation("S3"));
        List<Long> ns = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = t.api.get(tenant, "/v1/sessions/s-kids/events/root/children?limit=40" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("children").forEach(c -> ns.add(c.get("event").get("n").asLong()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertEquals(150, ns.size());
        assertEquals(150, new HashSet<>(ns).size());
        JsonNode head = t.api.get(tenant, "/v1/sessions/s-kids/head").body();
        assertEquals(151, head.get("head_seq").asLong());
        assertEquals(150, head.get("event").get("event").get("n").asLong());
    }

    @Test
    void objectsARescueLeftAboveTheWatermarkAreAdoptedWhereTheHotItemsStopGoingOn() {
        RecorderTestSupport t = support(10, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-rescued-objects");
        List<JsonNode> sent = AgentRunGenerator.generate(AgentRunGenerator.Config.of("s-rescued-objects", 12)).events().stream()
                .map(EventRecord::event).limit(40).toList();
        assertEquals(40, sent.size());
        clock.set(LONG_AGO);
        t.appendEach(tenant, "s-rescued-objects", sent);
        clock.set(NOW);
        t.record(tenant, "s-rescued-objects");
        // What a rescue leaves when an archival run holds the lease and its adoption has to wait: TTL
        // took the items of 21..30, and their object is in S3 above the watermark. No lease is left behind.
        List<EventRecord> stored = t.components.eventLog().read(key, 0, 40);
        t.components.segmentStore().write(key, stored.subList(20, 30));
        for (long seq = 21; seq <= 30; seq++) {
            long s = seq;
            t.aws.embedded().dynamo().deleteItem(b -> b.tableName(t.aws.table("EventsTable"))
                    .key(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN(Long.toString(s)))));
        }

        AwsCalls.reset();
        t.components.archiver().archive(key, NOW.minus(Duration.ofHours(24)));
        assertEquals(40, t.components.archiveMeta().load(key).archivedThrough());
        // one LIST, made where the hot items stopped going on from the watermark (after 20)
        assertEquals(1L, AwsCalls.countByOperation("S3").get("ListObjectsV2"), () -> AwsCalls.countByOperation("S3").toString());
        assertEquals(List.of("00000000000000000001-00000000000000000010", "00000000000000000011-00000000000000000020",
                        "00000000000000000021-00000000000000000030", "00000000000000000031-00000000000000000040"),
                objects(t, tenant, "s-rescued-objects").stream().map(o -> o.key().replaceAll(".*/|\\.jsonl\\.gz$", "")).toList());
        assertReadsExactlyOnce(t, tenant, "s-rescued-objects", sent);
        ApiClient.Response verified = t.api.get(tenant, "/v1/sessions/s-rescued-objects/verify");
        assertTrue(verified.body().get("ok").asBoolean(), verified.body().toString());
    }

    @Test
    void anObjectOverlappingArchivedOnesIsReadAroundNeverTwice() {
        RecorderTestSupport t = support(10, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        List<JsonNode> sent = session(t, clock, tenant, "s-overlap", 30, 0);
        StreamKey key = new StreamKey(tenant, "s-overlap");
        t.components.archiver().archive(key, NOW.minus(Duration.ofHours(24)));
        assertEquals(30, t.components.archiveMeta().load(key).archivedThrough());
        // A rescue racing a running archiver (its adoption waits for the lease, and the run archives the
        // same seqs from the items it read before TTL took them) leaves an object across the run's ones.
        t.components.segmentStore().write(key, t.components.eventLog().read(key, 4, 10));
        assertEquals(4, objects(t, tenant, "s-overlap").size());

        assertReadsExactlyOnce(t, tenant, "s-overlap", sent);
        for (String page : List.of("?after_seq=3&limit=12", "?order=desc&limit=30", "?after_seq=9&limit=3")) {
            JsonNode events = t.api.get(tenant, "/v1/sessions/s-overlap/events" + page).body().get("events");
            List<Long> seqs = new ArrayList<>();
            events.forEach(e -> seqs.add(e.get("seq").asLong()));
            assertEquals(seqs.stream().distinct().count(), seqs.size(), page + ": " + seqs);
            for (int i = 1; i < seqs.size(); i++) {
                assertEquals(Math.abs(seqs.get(i) - seqs.get(i - 1)), 1L, page + ": " + seqs);
            }
        }
        ApiClient.Response verified = t.api.get(tenant, "/v1/sessions/s-overlap/verify");
        assertTrue(verified.body().get("ok").asBoolean(), verified.body().toString());
    }

    @Test
    void anObjectWrittenUnderALargerLimitIsAdoptedAndStillFoundByReads() {
        RecorderTestSupport t = support(5, Duration.ofMinutes(5));
        String tenant = RecorderTestSupport.newTenant();
        List<JsonNode> sent = session(t, clock, tenant, "s-adopt", 30, 0);
        StreamKey key = new StreamKey(tenant, "s-adopt");
        // A run configured for 20 events per object wrote 1..20 and died before moving the watermark
        // (or releasing its lease, which lapsed since).
        assertTrue(t.components.archiveMeta().acquireLease(key, NOW.minus(Duration.ofMinutes(20)), NOW.minus(Duration.ofMinutes(10)), "a-run-that-died"));
        t.components.segmentStore().write(key, t.components.eventLog().read(key, 0, 20).stream()
                .map(r -> new dev.sessionlog.event.EventRecord(r.seq(), r.eventId(), r.parentEventId(), r.recordedAt(), r.event())).toList());
        t.components.archiver().archive(key, NOW.minus(Duration.ofHours(24)));
        assertEquals(30, t.components.archiveMeta().load(key).archivedThrough());
        assertEquals(20, t.components.archiveMeta().load(key).segmentMaxEvents());
        JsonNode page = t.api.get(tenant, "/v1/sessions/s-adopt/events?after_seq=16&limit=3").body();
        assertEquals(17, page.get("events").get(0).get("seq").asLong());
        assertReadsExactlyOnce(t, tenant, "s-adopt", sent);
    }
}
