package dev.sessionlog.api;

import static dev.sessionlog.testing.Events.agentStart;
import static dev.sessionlog.testing.Events.batch;
import static dev.sessionlog.testing.Events.envelope;
import static dev.sessionlog.testing.Events.userMessage;
import static dev.sessionlog.testing.Events.userMessageOfSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.testing.AwsTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class AppendApiTest extends ApiTestBase {

    /** This class stores tens of thousands of items: they go when it is done (moto keeps all in memory). */
    @org.junit.jupiter.api.AfterAll
    static void releaseTheStore() {
        dev.sessionlog.testing.AwsTestResource.resetDynamo();
    }

    static final String T = "tenant-a";

    @Test
    void threeAppendsGiveGaplessSeqsAndPagingReturnsExactlyWhatWasSent() {
        String s = newSession();
        List<JsonNode> sent = new ArrayList<>();
        ObjectNode first = agentStart(s, s + ".m.0");
        sent.add(first);
        Response r1 = api.post(T, events(s), batch(envelope("e-1", null, first)));
        assertEquals(201, r1.status());
        assertEquals(1, r1.body().get("head_seq").asLong());
        for (int b = 0; b < 2; b++) {
            List<ObjectNode> envs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ObjectNode m = userMessage(s + ".m.0", "message " + b + "/" + i);
                m.put("score", new java.math.BigDecimal("1.50"));
                sent.add(m);
                envs.add(envelope(null, "e-1", m));
            }
            Response r = api.post(T, events(s), batch(envs.toArray(ObjectNode[]::new)));
            assertEquals(201, r.status());
            JsonNode seqs = r.body().get("events");
            for (int i = 0; i < 5; i++) {
                assertEquals(2 + b * 5 + i, seqs.get(i).get("seq").asLong());
                assertFalse(seqs.get(i).get("duplicate").asBoolean());
            }
        }
        // Page through 4 at a time: every event once, in order, equal to what was sent.
        List<JsonNode> read = new ArrayList<>();
        long after = 0;
        int pages = 0;
        while (true) {
            Response page = api.get(T, events(s) + "?after_seq=" + after + "&limit=4");
            assertEquals(200, page.status());
            assertEquals(11, page.body().get("head_seq").asLong());
            page.body().get("events").forEach(read::add);
            pages++;
            JsonNode next = page.body().get("next_after_seq");
            if (next.isNull()) {
                break;
            }
            after = next.asLong();
        }
        assertEquals(3, pages);
        assertEquals(11, read.size());
        for (int i = 0; i < 11; i++) {
            assertEquals(i + 1, read.get(i).get("seq").asLong());
            assertEquals(sent.get(i), read.get(i).get("event"));
            assertTrue(read.get(i).get("recorded_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        }
        assertEquals("1.50", read.get(1).get("event").get("score").toString());
        assertEquals("e-1", read.get(0).get("event_id").asText());
        assertEquals("e-1", read.get(1).get("parent_event_id").asText());
        assertTrue(read.get(0).get("parent_event_id").isNull());
        assertEquals(LongStream.rangeClosed(1, 11).boxed().toList(), storedSeqs(T, s));
    }

    @Test
    void retriedBatchAnswersDuplicateWithTheOriginalSeqsEvenAfterOtherWriters() {
        String s = newSession();
        ObjectNode body = batch(envelope("r-1", null, agentStart(s, s + ".m.0")),
                envelope("r-2", "r-1", userMessage(s + ".m.0", "hi")));
        assertEquals(201, api.post(T, events(s), body).status());
        // Other writers append in between.
        for (int i = 0; i < 3; i++) {
            assertEquals(201, api.post(T, events(s), batch(envelope("other-" + i, null, userMessage(s + ".m.0", "x")))).status());
        }
        Response retry = api.post(T, events(s), body);
        assertEquals(200, retry.status());
        assertEquals(5, retry.body().get("head_seq").asLong());
        assertEquals(1, retry.body().get("events").get(0).get("seq").asLong());
        assertEquals(2, retry.body().get("events").get(1).get("seq").asLong());
        assertTrue(retry.body().get("events").get(0).get("duplicate").asBoolean());
        assertTrue(retry.body().get("events").get(1).get("duplicate").asBoolean());
        // A retry carrying the expected_seq of the first attempt is still a duplicate, not a conflict.
        body.put("expected_seq", 0);
        assertEquals(200, api.post(T, events(s), body).status());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), storedSeqs(T, s));
    }

    @Test
    void expectedSeqMismatchIs409WithTheHeadAndWritesNothing() {
        String s = newSession();
        ObjectNode first = batch(envelope(null, null, agentStart(s, s + ".m.0")));
        first.put("expected_seq", 0);
        assertEquals(201, api.post(T, events(s), first).status());
        ObjectNode next = batch(envelope(null, null, userMessage(s + ".m.0", "a")), envelope(null, null, userMessage(s + ".m.0", "b")));
        next.put("expected_seq", 1);
        Response ok = api.post(T, events(s), next);
        assertEquals(201, ok.status());
        assertEquals(3, ok.body().get("head_seq").asLong());

        next.put("expected_seq", 1);
        Response stale = api.post(T, events(s), next);
        assertEquals(409, stale.status());
        assertEquals("seq_conflict", stale.error().get("code").asText());
        assertEquals(3, stale.error().get("head_seq").asLong());
        assertEquals("expected seq 1 but head is 3", stale.error().get("message").asText());

        next.put("expected_seq", 7);
        Response ahead = api.post(T, events(s), next);
        assertEquals(409, ahead.status());
        assertEquals(3, ahead.error().get("head_seq").asLong());

        ObjectNode aheadWithIds = batch(envelope("x-1", null, userMessage(s + ".m.0", "a")));
        aheadWithIds.put("expected_seq", 7);
        Response aheadIds = api.post(T, events(s), aheadWithIds);
        assertEquals(409, aheadIds.status());
        assertEquals(3, aheadIds.error().get("head_seq").asLong());

        ObjectNode again = batch(envelope(null, null, agentStart(s, s + ".m.1")));
        again.put("expected_seq", 0);
        assertEquals(409, api.post(T, events(s), again).status());
        assertEquals(List.of(1L, 2L, 3L), storedSeqs(T, s));
    }

    @Test
    void mixedDuplicateBatchIs409PartialDuplicateAndWritesNothing() {
        String s = newSession();
        assertEquals(201, api.post(T, events(s), batch(envelope("p-1", null, agentStart(s, s + ".m.0")),
                envelope("p-2", null, userMessage(s + ".m.0", "a")))).status());
        Response mixed = api.post(T, events(s), batch(envelope("p-2", null, userMessage(s + ".m.0", "a")),
                envelope("p-3", null, userMessage(s + ".m.0", "b"))));
        assertEquals(409, mixed.status());
        assertEquals("partial_duplicate", mixed.error().get("code").asText());
        assertEquals("p-2", mixed.error().get("stored_event_ids").get(0).asText());
        Response withoutIds = api.post(T, events(s), batch(envelope("p-1", null, userMessage(s + ".m.0", "a")),
                envelope(null, null, userMessage(s + ".m.0", "b"))));
        assertEquals(409, withoutIds.status());
        assertEquals(List.of(1L, 2L), storedSeqs(T, s));
    }

    @RepeatedTest(5)
    void eightConcurrentWritersOf50AppendsGetSeqs1To400EachEventOnce() throws Exception {
        String s = newSession();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<List<Long>>> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int writer = w;
            writers.add(pool.submit(() -> {
                List<Long> seqs = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    ObjectNode body = batch(envelope("w" + writer + "-" + i, null, userMessage(s + ".m.0", "w" + writer + " " + i)));
                    Response r = api.post(T, events(s), body);
                    while (r.status() == 429) { // the contract's answer to contention: retry
                        r = api.post(T, events(s), body);
                    }
                    Response done = r;
                    assertTrue(done.status() == 201 || done.status() == 200, () -> "status " + done.status() + " " + done.body());
                    seqs.add(r.body().get("events").get(0).get("seq").asLong());
                }
                return seqs;
            }));
        }
        Set<Long> answered = new HashSet<>();
        for (Future<List<Long>> writer : writers) {
            answered.addAll(writer.get());
        }
        pool.shutdown();
        assertEquals(400, answered.size());
        assertEquals(LongStream.rangeClosed(1, 400).boxed().toList(), storedSeqs(T, s));
        // Each event exactly once: the 400 ids read back are distinct.
        Set<String> ids = new HashSet<>();
        long after = 0;
        while (true) {
            Response page = api.get(T, events(s) + "?after_seq=" + after + "&limit=1000");
            page.body().get("events").forEach(e -> ids.add(e.get("event_id").asText()));
            if (page.body().get("next_after_seq").isNull()) {
                break;
            }
            after = page.body().get("next_after_seq").asLong();
        }
        assertEquals(400, ids.size());
    }

    @Test
    void oneMibEventRoundTripsUnchangedAndOneByteMoreIs413() {
        String s = newSession();
        ObjectNode big = userMessageOfSize(s + ".m.0", 1024 * 1024);
        assertEquals(1024 * 1024, Json.bytes(big).length);
        Response ok = api.post(T, events(s), batch(envelope("big", null, big)));
        assertEquals(201, ok.status());
        Response read = api.get(T, events(s));
        assertEquals(big, read.body().get("events").get(0).get("event"));
        assertEquals(big, api.get(T, "/v1/sessions/" + s + "/head").body().get("event").get("event"));

        Response tooBig = api.post(T, events(s), batch(envelope("bigger", null, userMessageOfSize(s + ".m.0", 1024 * 1024 + 1))));
        assertEquals(413, tooBig.status());
        assertEquals("too_large", tooBig.error().get("code").asText());
        assertTrue(tooBig.error().get("message").asText().contains("1048576 bytes"), tooBig.error().toString());
        assertEquals(List.of(1L), storedSeqs(T, s));
    }

    @Test
    void incompressibleLargeEventsGoToS3AndComeBackUnchanged() {
        String s = newSession();
        java.util.Random random = new java.util.Random(7);
        List<ObjectNode> sent = new ArrayList<>();
        List<ObjectNode> envs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] noise = new byte[700_000];
            random.nextBytes(noise);
            ObjectNode e = userMessage(s + ".m.0", java.util.Base64.getEncoder().encodeToString(noise));
            sent.add(e);
            envs.add(envelope("n-" + i, null, e));
        }
        // 5 x ~930 KB: over an item and over a transaction's 4 MB, still one atomic append.
        Response ok = api.post(T, events(s), batch(envs.toArray(ObjectNode[]::new)));
        assertEquals(201, ok.status(), () -> ok.body().toString());
        JsonNode read = api.get(T, events(s)).body().get("events");
        for (int i = 0; i < 5; i++) {
            assertEquals(sent.get(i), read.get(i).get("event"));
        }
    }

    @Test
    void hundredEventsAreOneAppendAndTheHundredAndFirstIs413() {
        String s = newSession();
        List<ObjectNode> envs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            envs.add(envelope("h-" + i, null, userMessage(s + ".m.0", "m" + i)));
        }
        ObjectNode hundred = batch(envs.toArray(ObjectNode[]::new));
        hundred.put("expected_seq", 0);
        assertEquals(201, api.post(T, events(s), hundred).status());
        envs.clear();
        for (int i = 0; i < 100; i++) {
            envs.add(envelope("i-" + i, null, userMessage(s + ".m.0", "m" + i)));
        }
        ObjectNode second = batch(envs.toArray(ObjectNode[]::new));
        second.put("expected_seq", 100);
        assertEquals(201, api.post(T, events(s), second).status());
        envs.add(envelope("i-100", null, userMessage(s + ".m.0", "one too many")));
        Response over = api.post(T, events(s), batch(envs.toArray(ObjectNode[]::new)));
        assertEquals(413, over.status());
        assertTrue(over.error().get("message").asText().contains("the limit is 100 events per request"));
        assertEquals(LongStream.rangeClosed(1, 200).boxed().toList(), storedSeqs(T, s));
    }

    /**
     * Random ids: a request is one item, indexed under its first id. A retry of a stored request is
     * recognised, also re-batched from its ids, and so are ids from several requests looked up at once.
     */
    @Test
    void retriesWithRandomIdsOnALongSessionAreRecognisedThroughTheConcurrentLookups() {
        String s = newSession();
        List<String> ids = new ArrayList<>();
        List<ObjectNode> sentBatches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            List<ObjectNode> envs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String id = java.util.UUID.randomUUID().toString();
                ids.add(id);
                envs.add(envelope(id, null, userMessage(s + ".m.0", "m" + i)));
            }
            ObjectNode sentBatch = batch(envs.toArray(ObjectNode[]::new));
            sentBatches.add(sentBatch);
            assertEquals(201, api.post(T, events(s), sentBatch).status());
        }
        for (int b = 0; b < 3; b++) {
            Response again = api.post(T, events(s), sentBatches.get(b));
            assertEquals(200, again.status());
            assertEquals(b * 100 + 100, again.body().get("events").get(99).get("seq").asLong());
        }
        // Ids of the three requests spread over the session, each request's first among them.
        List<ObjectNode> retry = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            retry.add(envelope(ids.get(i * 15), null, userMessage(s + ".m.0", "again")));
        }
        retry.add(envelope(ids.get(100), null, userMessage(s + ".m.0", "again")));
        retry.add(envelope(ids.get(200), null, userMessage(s + ".m.0", "again")));
        Response again = api.post(T, events(s), batch(retry.toArray(ObjectNode[]::new)));
        assertEquals(200, again.status());
        for (int i = 0; i < 20; i++) {
            assertEquals(i * 15 + 1, again.body().get("events").get(i).get("seq").asLong());
        }
        retry.add(envelope(java.util.UUID.randomUUID().toString(), null, userMessage(s + ".m.0", "new")));
        assertEquals(409, api.post(T, events(s), batch(retry.toArray(ObjectNode[]::new))).status());
        assertEquals(300, storedSeqs(T, s).size());
    }
}
