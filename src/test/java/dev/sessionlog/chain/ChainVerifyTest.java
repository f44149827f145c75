package dev.sessionlog.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.archive.SegmentStore;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventBodyCodec;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.log.dynamo.Tombstones;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Events;
import dev.sessionlog.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The hash chain on moto and S3Proxy: verify (and the outside script, infra/verify-chain.py) finds
 * a changed byte wherever an event lives, a removed, swapped or truncated record, and, with a receipt
 * or a sealed checkpoint, a rewrite by someone who recomputed every later chain value; receipts of
 * concurrent writers verify; a fork's prefix verifies against its source's receipts.
 */
class ChainVerifyTest {

    static final Instant OLD = Instant.parse("2026-11-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final Path SCRIPT = Path.of("infra", "verify-chain.py");

    final MutableClock clock = new MutableClock(OLD);
    final RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings().withArchive(ArchiveSettings.defaults().withSegmentMaxEvents(10)));
    final String tenant = RecorderTestSupport.newTenant();
    final DynamoDbClient dynamo = t.aws.embedded().dynamo();
    final S3Client s3 = t.aws.embedded().s3();
    final Map<Long, String> receipts = new HashMap<>();

    /**
     * 60 events in requests of 10 (their receipts kept), seq 35 with a body kept in S3; seqs 1..30
     * archived in objects of 10 (sealed checkpoints at 10, 20 and 30).
     */
    String session(String id) {
        packedSession(id);
        unpack(id);
        return id;
    }

    /**
     * Rewrites the session's items one per event, as earlier versions wrote them (a layout this one
     * reads on): the tampering below then changes, removes or swaps one event's own item.
     */
    void unpack(String id) {
        for (Map<String, AttributeValue> item : dynamo.query(b -> b.tableName(t.aws.table("EventsTable")).consistentRead(true)
                .keyConditionExpression("pk = :pk AND seq > :zero")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key(id).pk()), ":zero", AttributeValue.fromN("0")))).items()) {
            if (item.containsKey(EventItems.PACK)) {
                EventItems.expand(item).forEach(this::put);
            }
        }
        JsonNode ok = verify(id, "");
        assertTrue(ok.get("ok").asBoolean(), ok::toString);
        assertEquals(receipts.get(60L), ok.get("chain").asText());
    }

    /** The session as this version writes it: an item per request. */
    String packedSession(String id) {
        for (int request = 0; request < 6; request++) {
            clock.set(request < 3 ? OLD : NOW);
            ObjectNode body = Json.MAPPER.createObjectNode();
            for (int i = 1; i <= 10; i++) {
                int n = request * 10 + i;
                ObjectNode event = body.withArray("events").addObject().put("event_id", "e-" + n)
                        .putObject("event").put("type", "Note").put("n", n).put("text", "note " + n);
                if (n == 35) {
                    event.put("blob", Events.randomText(35, 300_000));
                }
            }
            ApiClient.Response r = t.api.post(tenant, "/v1/sessions/" + id + "/events", body);
            assertEquals(201, r.status(), r.body()::toString);
            receipts.put(r.body().get("events").get(9).get("seq").asLong(), r.body().get("chain").asText());
        }
        t.record(tenant, id);
        t.components.archiver().archive(key(id), NOW.minus(Duration.ofHours(24)));
        assertEquals(30, t.components.eventLog().archivedThrough(key(id)));
        JsonNode ok = verify(id, "");
        assertTrue(ok.get("ok").asBoolean(), ok::toString);
        assertEquals(60, ok.get("through_seq").asLong());
        assertEquals(receipts.get(60L), ok.get("chain").asText());
        assertTrue(ok.get("next_from_seq").isNull());
        return id;
    }

    StreamKey key(String id) {
        return new StreamKey(tenant, id);
    }

    JsonNode verify(String id, String query) {
        ApiClient.Response r = t.api.get(tenant, "/v1/sessions/" + id + "/verify" + (query.isEmpty() ? "" : "?" + query));
        assertEquals(200, r.status(), r.body()::toString);
        return r.body();
    }

    void assertBadAt(String id, String query, long seq) {
        JsonNode v = verify(id, query);
        assertFalse(v.get("ok").asBoolean(), v::toString);
        assertEquals(seq, v.get("first_bad_seq").asLong(), v::toString);
        assertTrue(v.get("problem").asText().length() > 10);
    }

    Map<String, AttributeValue> item(String id, long seq) {
        return dynamo.getItem(b -> b.tableName(t.aws.table("EventsTable")).key(Map.of("pk", AttributeValue.fromS(key(id).pk()),
                "seq", AttributeValue.fromN(Long.toString(seq))))).item();
    }

    void put(Map<String, AttributeValue> item) {
        dynamo.putItem(b -> b.tableName(t.aws.table("EventsTable")).item(item));
    }

    /** The archive object holding seq, its key and records. */
    String objectHolding(String id, long seq) {
        for (S3Object o : s3.listObjectsV2(b -> b.bucket(AwsTestResource.BUCKET).prefix(t.components.segmentStore()
                .sessionPrefix(key(id)))).contents()) {
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            long first = Long.parseLong(name.substring(0, 20));
            long last = Long.parseLong(name.substring(21, 41));
            if (first <= seq && seq <= last) {
                return o.key();
            }
        }
        throw new AssertionError("no object holds seq " + seq);
    }

    List<EventRecord> objectRecords(String objectKey) {
        return SegmentStore.decode(s3.getObjectAsBytes(b -> b.bucket(AwsTestResource.BUCKET).key(objectKey)).asByteArray());
    }

    void rewriteObject(String objectKey, List<EventRecord> records) {
        s3.putObject(b -> b.bucket(AwsTestResource.BUCKET).key(objectKey), RequestBody.fromBytes(SegmentStore.encode(records)));
    }

    static EventRecord withEvent(EventRecord r, JsonNode event) {
        return new EventRecord(r.seq(), r.eventId(), r.parentEventId(), r.parentSessionId(), r.recordedAt(), event, r.chain());
    }

    static EventRecord withChain(EventRecord r, String chain) {
        return new EventRecord(r.seq(), r.eventId(), r.parentEventId(), r.parentSessionId(), r.recordedAt(), r.event(), chain);
    }

    /** Runs infra/verify-chain.py on the archive objects (downloaded) and the hot records (read from the API). */
    JsonNode outside(String id, Path dir, String receipt) throws Exception {
        Path archive = Files.createDirectories(dir.resolve(id + "-archive"));
        for (S3Object o : s3.listObjectsV2(b -> b.bucket(AwsTestResource.BUCKET).prefix(t.components.segmentStore()
                .sessionPrefix(key(id)))).contents()) {
            Files.write(archive.resolve(o.key().substring(o.key().lastIndexOf('/') + 1)),
                    s3.getObjectAsBytes(b -> b.bucket(AwsTestResource.BUCKET).key(o.key())).asByteArray());
        }
        long archived = t.components.eventLog().archivedThrough(key(id));
        Path pages = dir.resolve(id + "-hot.json");
        Files.writeString(pages, Json.write(t.api.get(tenant, "/v1/sessions/" + id + "/events?limit=1000&after_seq=" + archived)
                .body()));
        List<String> command = new ArrayList<>(List.of("python3", SCRIPT.toString(), "--archive", archive.toString(),
                "--pages", pages.toString()));
        if (receipt != null) {
            command.addAll(List.of("--receipt", receipt));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        JsonNode result = Json.parse(out.trim().getBytes(StandardCharsets.UTF_8));
        assertEquals(result.get("ok").asBoolean() ? 0 : 1, status, out);
        return result;
    }

    @Test
    void aByteChangedWhereverAnEventLivesIsFoundAtItsSeqByVerifyAndByTheOutsideScript(@TempDir Path dir) throws Exception {
        String untouched = session("untouched");
        assertTrue(outside(untouched, dir, "60:" + receipts.get(60L)).get("ok").asBoolean(), "the script agrees when nothing changed");
        assertEquals(receipts.get(60L), outside(untouched, dir, null).get("chain").asText());

        // seq 45 inside the item of its request (41..50)
        String inPack = packedSession("in-pack");
        Map<String, AttributeValue> pack = new HashMap<>(item(inPack, 41));
        String packed = new String(EventBodyCodec.gunzip(pack.get(EventItems.PACK).b().asByteArray()), StandardCharsets.UTF_8);
        assertTrue(packed.contains("note 45"));
        pack.put(EventItems.PACK, AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromByteArray(
                EventBodyCodec.gzip(packed.replace("note 45", "note 46").getBytes(StandardCharsets.UTF_8)))));
        put(pack);
        assertBadAt(inPack, "", 45);
        assertEquals(45, outside(inPack, dir, null).get("first_bad_seq").asLong());

        // the DynamoDB item of seq 45
        String inTable = session("in-table");
        Map<String, AttributeValue> item = new HashMap<>(item(inTable, 45));
        item.put("body", AttributeValue.fromS(item.get("body").s().replace("note 45", "note 46")));
        put(item);
        assertBadAt(inTable, "", 45);
        assertEquals(45, outside(inTable, dir, null).get("first_bad_seq").asLong());

        // the large body of seq 35 in S3
        String inBody = session("in-body");
        String ref = item(inBody, 35).get(EventBodyCodec.BODY_REF).s();
        byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(AwsTestResource.BUCKET).key(ref)).asByteArray();
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("\"blob\":\"") + 20;
        bytes[at] = (byte) (bytes[at] == 'a' ? 'b' : 'a');
        s3.putObject(b -> b.bucket(AwsTestResource.BUCKET).key(ref), RequestBody.fromBytes(bytes));
        assertBadAt(inBody, "", 35);
        assertEquals(35, outside(inBody, dir, null).get("first_bad_seq").asLong());

        // a line of an archive object
        String inArchive = session("in-archive");
        String object = objectHolding(inArchive, 12);
        List<EventRecord> records = new ArrayList<>(objectRecords(object));
        ObjectNode changed = records.get(1).event().deepCopy();
        changed.put("text", "note 13");
        records.set(1, withEvent(records.get(1), changed));
        rewriteObject(object, records);
        assertBadAt(inArchive, "", 12);
        assertEquals(12, outside(inArchive, dir, null).get("first_bad_seq").asLong());
    }

    /**
     * A store in trouble is not a changed record: S3 answering SlowDown (or a 5xx) for the archive's
     * objects makes verify answer the error (429 here), never {@code ok: false} with a "changed" seq.
     */
    @Test
    void aThrottledArchiveReadIsAnErrorNotTampering() {
        String id = session("s-slow");
        ExecutionInterceptor slowDown = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof GetObjectRequest get && get.key().contains("session=" + id + "/")) {
                    throw S3Exception.builder().statusCode(503).message("Please reduce your request rate.")
                            .awsErrorDetails(AwsErrorDetails.builder().errorCode("SlowDown").errorMessage("Please reduce your request rate.")
                                    .build()).build();
                }
            }
        };
        Components slow = new Components(AwsTestResource.settings().withArchive(ArchiveSettings.defaults().withSegmentMaxEvents(10)),
                dynamo, t.aws.embedded().s3(slowDown), t.aws.embedded().checkpointS3(), clock, Metrics.NONE);
        ApiClient.Response r = new ApiClient(slow.appendHandler(), slow.queryHandler())
                .get(tenant, "/v1/sessions/" + id + "/verify");
        assertEquals(429, r.status(), r.body()::toString);
        assertEquals("throttled", r.error().get("code").asText());
        assertTrue(verify(id, "").get("ok").asBoolean(), "the records themselves are intact");
    }

    @Test
    void aRecordRemovedSwappedOrCutShortIsReported(@TempDir Path dir) throws Exception {
        String removed = session("removed");
        dynamo.deleteItem(b -> b.tableName(t.aws.table("EventsTable")).key(Map.of("pk", AttributeValue.fromS(key(removed).pk()),
                "seq", AttributeValue.fromN("50"))));
        assertBadAt(removed, "", 50);
        assertEquals(50, outside(removed, dir, null).get("first_bad_seq").asLong());

        String swapped = session("swapped");
        Map<String, AttributeValue> a = new HashMap<>(item(swapped, 40));
        Map<String, AttributeValue> b = new HashMap<>(item(swapped, 41));
        AttributeValue seqA = a.get("seq");
        a.put("seq", b.get("seq"));
        b.put("seq", seqA);
        put(a);
        put(b);
        assertBadAt(swapped, "", 40);
        assertEquals(40, outside(swapped, dir, null).get("first_bad_seq").asLong());

        String truncated = session("truncated");
        String object = objectHolding(truncated, 25);
        rewriteObject(object, objectRecords(object).subList(0, 5)); // seqs 21..25 of 21..30
        assertBadAt(truncated, "", 26);
        assertEquals(21, outside(truncated, dir, null).get("first_bad_seq").asLong(), "the script names the object cut short");

        String cutBytes = session("cut-bytes");
        String gz = objectHolding(cutBytes, 5);
        byte[] whole = s3.getObjectAsBytes(x -> x.bucket(AwsTestResource.BUCKET).key(gz)).asByteArray();
        s3.putObject(x -> x.bucket(AwsTestResource.BUCKET).key(gz), RequestBody.fromBytes(java.util.Arrays.copyOf(whole, whole.length / 2)));
        assertBadAt(cutBytes, "", 1);
    }

    @Test
    void aRewriteWithEveryLaterChainRecomputedIsFoundByAReceiptOrACheckpoint() {
        // in the table: seq 45 changed, 45..60 recomputed; only the receipt of seq 50 (or 60) can tell
        String hot = session("rewritten-hot");
        recomputeFrom(hot, 45, "note 45", "note 4x");
        assertTrue(verify(hot, "").get("ok").asBoolean(), "a consistent rewrite passes where no anchor is");
        assertBadAt(hot, "receipt_seq=50&receipt_chain=" + receipts.get(50L), 50);
        JsonNode old = verify(hot, "receipt_seq=60&receipt_chain=" + receipts.get(60L));
        assertFalse(old.get("ok").asBoolean());

        // in the archive: seq 12 changed, everything after recomputed; the sealed checkpoint of seq 20 tells
        String archived = session("rewritten-archive");
        recomputeFrom(archived, 12, "note 12", "note 1x");
        assertBadAt(archived, "", 20);

        // the newest records removed: the receipt of the head tells
        String cut = session("cut");
        for (long seq = 56; seq <= 60; seq++) {
            long s = seq;
            dynamo.deleteItem(b -> b.tableName(t.aws.table("EventsTable")).key(Map.of("pk", AttributeValue.fromS(key(cut).pk()),
                    "seq", AttributeValue.fromN(Long.toString(s)))));
        }
        assertBadAt(cut, "receipt_seq=60&receipt_chain=" + receipts.get(60L), 56);
    }

    /**
     * Finding 3: the checkpoint bucket, which nobody can empty for a year, names no tenant or session
     * in a key or a body, nor by a plain hash a dictionary reverses; verify still finds its checkpoints,
     * and those sealed under the plain hash before keyed names are read too.
     */
    @Test
    void theCheckpointBucketNamesNoSessionYetVerifyFindsItsCheckpoints() {
        String id = session("alice.example.com");
        S3Client sealed = t.aws.embedded().checkpointS3();
        String keyed = new SessionNames(AwsTestResource.settings().checkpointKey()).of(key(id));
        List<String> keys = new java.util.ArrayList<>();
        sealed.listObjectsV2Paginator(b -> b.bucket(AwsTestResource.CHECKPOINT_BUCKET).prefix("checkpoints/" + keyed + "/"))
                .contents().forEach(o -> keys.add(o.key()));
        assertEquals(3, keys.size(), "the checkpoints at 10, 20 and 30 under the keyed name: " + keys);
        String plain = Tombstones.hash(key(id));
        sealed.listObjectsV2Paginator(b -> b.bucket(AwsTestResource.CHECKPOINT_BUCKET)).contents().forEach(o -> {
            assertFalse(o.key().contains(plain) || o.key().contains(id) || o.key().contains(tenant), o.key());
            String body = sealed.getObjectAsBytes(g -> g.bucket(AwsTestResource.CHECKPOINT_BUCKET).key(o.key())).asUtf8String();
            assertFalse(body.contains(id) || body.contains(StreamKey.encodeTenant(tenant)) || body.contains("archive_object"), body);
        });

        // a checkpoint the earlier version sealed under the plain hash (body and all) is still one verify trusts
        String legacy = session("legacy");
        String oldKey = "checkpoints/" + Tombstones.hash(key(legacy)) + "/" + String.format("%020d.json", 40);
        sealed.putObject(p -> p.bucket(AwsTestResource.CHECKPOINT_BUCKET).key(oldKey), RequestBody.fromString(
                "{\"seq\":40,\"chain\":\"" + receipts.get(40L) + "\",\"archive_object\":\"tenant=x/session=legacy/\",\"written_at\":\""
                        + NOW + "\"}"));
        assertEquals(List.of(10L, 20L, 30L, 40L), t.components.checkpoints().list(key(legacy), seq -> true).stream()
                .map(CheckpointStore.Checkpoint::seq).toList());
        recomputeFrom(legacy, 38, "note 38", "note 3x");
        assertBadAt(legacy, "", 40);
    }

    /** What a writer who knows the algorithm does: changes seq {@code from}, then recomputes every chain value after it. */
    void recomputeFrom(String id, long from, String text, String replacement) {
        List<EventRecord> all = t.components.eventLog().read(key(id), 0, 1000);
        String previous = from == 1 ? null : all.get((int) from - 2).chain();
        Map<String, List<EventRecord>> objects = new HashMap<>();
        for (EventRecord r : all.subList((int) from - 1, all.size())) {
            EventRecord changed = r.seq() == from
                    ? withEvent(r, Json.parse(Json.write(r.event()).replace(text, replacement).getBytes(StandardCharsets.UTF_8))) : r;
            String chain = ChainHash.next(previous, changed);
            changed = withChain(changed, chain);
            previous = chain;
            if (r.seq() <= 30) {
                String object = objectHolding(id, r.seq());
                objects.computeIfAbsent(object, k -> new ArrayList<>(objectRecords(k)))
                        .set((int) ((r.seq() - 1) % 10), changed);
                Map<String, AttributeValue> stub = new HashMap<>(item(id, r.seq()));
                stub.put("chain", AttributeValue.fromS(chain));
                put(stub);
            } else {
                Map<String, AttributeValue> item = new HashMap<>(item(id, r.seq()));
                item.put("chain", AttributeValue.fromS(chain));
                if (r.seq() == from) {
                    item.put("body", AttributeValue.fromS(item.get("body").s().replace(text, replacement)));
                }
                put(item);
            }
        }
        objects.forEach(this::rewriteObject);
    }

    @Test
    void eightConcurrentWritersChainOneSessionAndEveryReceiptVerifies() {
        String id = "concurrent";
        Map<Long, String> writerReceipts = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int writer = w;
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 50; i++) {
                    ObjectNode body = Json.MAPPER.createObjectNode();
                    body.withArray("events").addObject().put("event_id", "w" + writer + "-" + i)
                            .putObject("event").put("type", "Note").put("writer", writer).put("i", i);
                    ApiClient.Response r = t.api.post(tenant, "/v1/sessions/" + id + "/events", body);
                    assertEquals(201, r.status(), r.body()::toString);
                    writerReceipts.put(r.body().get("events").get(0).get("seq").asLong(), r.body().get("chain").asText());
                }
            }));
        }
        writers.forEach(CompletableFuture::join);
        assertEquals(400, writerReceipts.size(), "every append got its own seq and receipt");
        JsonNode all = verify(id, "");
        assertTrue(all.get("ok").asBoolean(), all::toString);
        assertEquals(1, all.get("from_seq").asLong());
        assertEquals(400, all.get("through_seq").asLong());
        // every receipt is the verified chain's value at its seq ...
        List<JsonNode> records = t.readAll(tenant, id, 1000);
        writerReceipts.forEach((seq, chain) -> assertEquals(chain, records.get((int) (seq - 1)).get("chain").asText(), "seq " + seq));
        // ... and verify checks receipts itself: the first, the last, and one from the middle
        for (long seq : List.of(1L, 200L, 400L)) {
            JsonNode v = verify(id, "receipt_seq=" + seq + "&receipt_chain=" + writerReceipts.get(seq));
            assertTrue(v.get("ok").asBoolean() && v.get("receipt_ok").asBoolean(), v::toString);
        }
        // an all-duplicate retry answers the first answer's receipt
        ObjectNode retry = Json.MAPPER.createObjectNode();
        retry.withArray("events").addObject().put("event_id", "w3-7").putObject("event").put("type", "Note").put("writer", 3)
                .put("i", 7);
        ApiClient.Response duplicate = t.api.post(tenant, "/v1/sessions/" + id + "/events", retry);
        assertEquals(200, duplicate.status());
        assertEquals(writerReceipts.get(duplicate.body().get("events").get(0).get("seq").asLong()), duplicate.body().get("chain").asText());
    }

    @Test
    void aForksPrefixVerifiesAgainstItsSourcesReceipts() {
        String source = session("source");
        ApiClient.Response fork = t.api.post(tenant, "/v1/sessions/" + source + "/fork",
                Json.MAPPER.createObjectNode().put("new_session_id", "its-fork").put("at_seq", 40));
        assertEquals(201, fork.status());
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().put("event_id", "own-1").putObject("event").put("type", "Note");
        ApiClient.Response own = t.api.post(tenant, "/v1/sessions/its-fork/events", body);
        assertEquals(41, own.body().get("events").get(0).get("seq").asLong());
        for (long seq : List.of(10L, 30L, 40L)) {
            JsonNode v = verify("its-fork", "receipt_seq=" + seq + "&receipt_chain=" + receipts.get(seq));
            assertTrue(v.get("ok").asBoolean() && v.get("receipt_ok").asBoolean(), v::toString);
        }
        JsonNode whole = verify("its-fork", "");
        assertEquals(own.body().get("chain").asText(), whole.get("chain").asText());
        // a range after 1 starts from the stored chain before it
        JsonNode tail = verify("its-fork", "from_seq=35&through_seq=41");
        assertTrue(tail.get("ok").asBoolean(), tail::toString);
        assertEquals(35, tail.get("from_seq").asLong());
    }

    @Test
    void recordsWrittenBeforeTheChainAreNeverOk() {
        String id = "legacy";
        ObjectNode body = Json.MAPPER.createObjectNode();
        for (int i = 1; i <= 20; i++) {
            body.withArray("events").addObject().put("event_id", "old-" + i).putObject("event").put("type", "Note").put("n", i);
        }
        assertEquals(201, t.api.post(tenant, "/v1/sessions/" + id + "/events", body).status());
        // what a session written before the chain existed looks like: an item per event, no chain values
        for (Map<String, AttributeValue> event : EventItems.expand(item(id, 1))) {
            Map<String, AttributeValue> item = new HashMap<>(event);
            item.remove("chain");
            put(item);
        }
        JsonNode v = verify(id, "");
        assertFalse(v.get("ok").asBoolean(), v::toString);
        assertEquals(20, v.get("unchained_through_seq").asLong());
        assertTrue(v.get("first_bad_seq").isNull());
        ObjectNode next = Json.MAPPER.createObjectNode();
        next.withArray("events").addObject().put("event_id", "new-1").putObject("event").put("type", "Note");
        ApiClient.Response appended = t.api.post(tenant, "/v1/sessions/" + id + "/events", next);
        EventRecord stored = t.components.eventLog().read(key(id), 20, 1).get(0);
        assertEquals(ChainHash.next(null, stored), appended.body().get("chain").asText(), "the first chained record links to 64 zeros");
        JsonNode after = verify(id, "");
        assertFalse(after.get("ok").asBoolean(), "still never ok: seqs 1 to 20 cannot be verified");
        assertEquals(20, after.get("unchained_through_seq").asLong());
        assertTrue(verify(id, "from_seq=21").get("ok").asBoolean(), "what follows them verifies");
    }

    @Test
    void badVerifyParametersAreNamed() throws IOException {
        String id = "params";
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().putObject("event").put("type", "Note");
        assertEquals(201, t.api.post(tenant, "/v1/sessions/" + id + "/events", body).status());
        for (String query : List.of("from_seq=0", "from_seq=2", "from_seq=x", "through_seq=0", "receipt_seq=1",
                "receipt_chain=" + "a".repeat(64), "receipt_seq=1&receipt_chain=ABC",
                "receipt_seq=&receipt_chain=" + "a".repeat(64))) { // an empty receipt_seq is none: the chain alone is refused
            ApiClient.Response r = t.api.get(tenant, "/v1/sessions/" + id + "/verify?" + query);
            assertEquals(400, r.status(), query);
        }
        assertEquals(404, t.api.get(tenant, "/v1/sessions/nothing-here/verify").status());
        assertTrue(Files.isRegularFile(SCRIPT));
    }
}
