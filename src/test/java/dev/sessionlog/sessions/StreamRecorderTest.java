package dev.sessionlog.sessions;

import static dev.sessionlog.testing.JsonAssert.assertSameJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.AgentRunGenerator;
import dev.sessionlog.recorder.RecorderOptions;
import dev.sessionlog.recorder.SessionFold;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The stream-triggered recorder on moto: redelivery, races, failures, size, links, idle flush. */
class StreamRecorderTest {

    /** This class stores tens of thousands of items: they go when it is done (moto keeps all in memory). */
    @org.junit.jupiter.api.AfterAll
    static void releaseTheStore() {
        dev.sessionlog.testing.AwsTestResource.resetDynamo();
    }

    final RecorderTestSupport t = new RecorderTestSupport();

    /** What one in-order fold of the log gives: the reference every delivery order must reach. */
    private JsonNode inOrderFold(String tenant, String session) {
        SessionFold fold = SessionFold.start(session, RecorderOptions.defaults());
        fold.applyAll(t.components.eventLog().read(new StreamKey(tenant, session), 0, 100_000));
        ObjectNode json = fold.toSessionJson();
        return json;
    }

    private JsonNode storedFold(String tenant, String session) {
        return t.components.sessionStore().load(new StreamKey(tenant, session)).orElseThrow().fold().toSessionJson();
    }

    @Test
    void everyBatchDeliveredTwiceAndShuffledGivesTheInOrderFold() {
        String tenant = RecorderTestSupport.newTenant();
        String session = "s-shuffle";
        List<EventRecord> run = AgentRunGenerator.generate(AgentRunGenerator.Config.of(session, 12).withSeed(3)).events();
        Random random = new Random(11);
        t.appendInRequests(tenant, session, run.stream().map(EventRecord::event).toList(), random, 6);
        List<StreamRecord> records = t.records(tenant, session);
        List<List<StreamRecord>> batches = new ArrayList<>();
        for (int i = 0; i < records.size(); ) {
            int size = 1 + random.nextInt(40);
            batches.add(new ArrayList<>(records.subList(i, Math.min(records.size(), i + size))));
            i += size;
        }
        List<List<StreamRecord>> deliveries = new ArrayList<>(batches);
        deliveries.addAll(batches);
        Collections.shuffle(deliveries, random);
        StreamRecorder recorder = t.components.streamRecorder();
        for (List<StreamRecord> batch : deliveries) {
            Collections.shuffle(batch, random);
            assertEquals(List.of(), recorder.record(batch));
        }
        JsonNode expected = inOrderFold(tenant, session);
        assertSameJson(expected, storedFold(tenant, session));
        assertEquals(run.size(), storedFold(tenant, session).get("recorded_through_seq").asLong());
    }

    @Test
    void twoConcurrentInvocationsOnOneSessionLoseNothing() throws Exception {
        String tenant = RecorderTestSupport.newTenant();
        String session = "s-race";
        List<EventRecord> run = AgentRunGenerator.generate(AgentRunGenerator.Config.of(session, 10).withSeed(5)).events();
        t.appendInRequests(tenant, session, run.stream().map(EventRecord::event).toList(), new Random(5), 6);
        List<StreamRecord> records = t.records(tenant, session);
        for (int round = 0; round < 5; round++) {
            int from = records.size() * round / 5;
            int to = records.size() * (round + 1) / 5;
            List<StreamRecord> slice = records.subList(from, to);
            List<StreamRecord> half1 = slice.subList(0, slice.size() / 2);
            List<StreamRecord> half2 = slice.subList(slice.size() / 2, slice.size());
            StreamRecorder a = t.components.streamRecorder();
            StreamRecorder b = t.components.streamRecorder();
            CompletableFuture<List<String>> fa = CompletableFuture.supplyAsync(() -> a.record(half2));
            CompletableFuture<List<String>> fb = CompletableFuture.supplyAsync(() -> b.record(half1));
            assertEquals(List.of(), fa.get());
            assertEquals(List.of(), fb.get());
        }
        assertSameJson(inOrderFold(tenant, session), storedFold(tenant, session));
    }

    @Test
    void aFailingSessionIsReportedAndRetriedWithoutBlockingTheOthers() {
        String tenant = RecorderTestSupport.newTenant();
        String other = RecorderTestSupport.newTenant();
        t.appendEach(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json"));
        List<StreamRecord> good = t.records(tenant, "s-tool");
        // A record of a session whose earlier events are not readable (yet): its fold cannot proceed.
        Map<String, AttributeValue> orphan = new HashMap<>(good.get(1).newImage());
        orphan.put("pk", AttributeValue.fromS(new StreamKey(other, "s-tool").pk()));
        StreamRecord bad = new StreamRecord("bad-2", "INSERT", orphan);
        List<StreamRecord> batch = new ArrayList<>(good);
        batch.add(3, bad);
        assertEquals(List.of("bad-2"), t.components.streamRecorder().record(batch));
        assertSameJson(inOrderFold(tenant, "s-tool"), storedFold(tenant, "s-tool"));
        assertTrue(t.components.sessionStore().load(new StreamKey(other, "s-tool")).isEmpty());
        // The events arrive; Lambda's retry of the failed record now folds.
        t.append(other, "s-tool", RecorderTestSupport.fixture("tool_loop.json").subList(0, 2));
        assertEquals(List.of(), t.components.streamRecorder().record(List.of(bad)));
        assertEquals(2, storedFold(other, "s-tool").get("recorded_through_seq").asLong());
    }

    @Test
    void removeRecordsNeverReachTheFold() {
        String tenant = RecorderTestSupport.newTenant();
        t.append(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json"));
        List<StreamRecord> records = t.records(tenant, "s-tool");
        assertEquals(List.of(), t.components.streamRecorder().record(records));
        JsonNode before = storedFold(tenant, "s-tool");
        List<StreamRecord> removes = records.stream().map(r -> new StreamRecord(r.sequenceNumber() + "-rm", "REMOVE", null)).toList();
        assertEquals(List.of(), t.components.streamRecorder().record(removes));
        // archival's stubs replace items: MODIFY records, whose image has no body
        List<StreamRecord> stubs = records.stream().map(r -> new StreamRecord(r.sequenceNumber() + "-stub", "MODIFY",
                dev.sessionlog.log.dynamo.EventItems.stub(r.newImage()))).toList();
        assertEquals(List.of(), t.components.streamRecorder().record(stubs));
        assertSameJson(before, storedFold(tenant, "s-tool"));
    }

    @Test
    void subAgentLinksAreCompleteInBothOrdersOfArrival() {
        for (boolean parentFirst : new boolean[] {true, false}) {
            String tenant = RecorderTestSupport.newTenant();
            t.append(tenant, "s-parent", RecorderTestSupport.fixture("subagent_parent.json"));
            t.append(tenant, "s-child", RecorderTestSupport.fixture("subagent_child.json"));
            List<StreamRecord> parent = t.records(tenant, "s-parent");
            List<StreamRecord> child = t.records(tenant, "s-child");
            StreamRecorder recorder = t.components.streamRecorder();
            if (parentFirst) {
                assertEquals(List.of(), recorder.record(parent));
                assertEquals(List.of(), recorder.record(child));
            } else {
                assertEquals(List.of(), recorder.record(child));
                assertEquals(List.of(), recorder.record(parent));
            }
            JsonNode childSession = t.session(tenant, "s-child");
            JsonNode ref = childSession.get("parent_spawn_ref");
            assertEquals("s-parent", ref.get("parent_session_id").asText(), "parentFirst=" + parentFirst);
            assertFalse(ref.get("tool_call_id").asText().isEmpty(), () -> "tool_call_id missing: " + ref);
            assertFalse(ref.get("tool_name").asText().isEmpty(), () -> "tool_name missing: " + ref);
            JsonNode parentSession = t.session(tenant, "s-parent");
            JsonNode refs = parentSession.get("loops").get(0).get("child_loop_refs");
            assertEquals(1, refs.size());
            assertEquals("s-child", refs.get(0).get("child_session_id").asText());
            assertEquals(ref.get("tool_call_id"), refs.get(0).get("tool_call_id"));
        }
    }

    /**
     * The child's link is read from its parent as GET of the parent would serve it: the stored fold,
     * or, before the recorder has stored the parent, the fold of the parent's log. (Reading only the
     * stored parent left tool_call_id and tool_name empty whenever the recorder was behind; a slow
     * engine showed it, a fast one hid it.)
     */
    @Test
    void aSubAgentsLinkIsCompleteWhenItsParentIsNotRecordedYet() {
        String tenant = RecorderTestSupport.newTenant();
        t.append(tenant, "s-parent", RecorderTestSupport.fixture("subagent_parent.json"));
        t.append(tenant, "s-child", RecorderTestSupport.fixture("subagent_child.json"));
        assertEquals(List.of(), t.components.streamRecorder().record(t.records(tenant, "s-child")));
        assertTrue(t.components.sessionStore().load(new StreamKey(tenant, "s-parent")).isEmpty(), "the parent is not recorded");

        JsonNode ref = t.session(tenant, "s-child").get("parent_spawn_ref");
        JsonNode parentRefs = t.session(tenant, "s-parent").get("loops").get(0).get("child_loop_refs");
        assertEquals(1, parentRefs.size());
        assertEquals(parentRefs.get(0).get("tool_call_id").asText(), ref.get("tool_call_id").asText(), ref::toString);
        assertEquals(parentRefs.get(0).get("tool_name").asText(), ref.get("tool_name").asText(), ref::toString);
        assertFalse(ref.get("tool_call_id").asText().isEmpty());
    }

    @Test
    void idleSessionsOpenLoopsAreAbortedByTheScheduledRunThroughTheLog() {
        String tenant = RecorderTestSupport.newTenant();
        t.append(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json").subList(0, 4));
        assertEquals(List.of(), t.components.streamRecorder().record(t.records(tenant, "s-tool")));
        assertEquals("active", t.session(tenant, "s-tool").get("status").asText());

        // Two hours later (the timeout is one hour), the scheduled run finds it and closes it.
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
        RecorderTestSupport future = new RecorderTestSupport(later);
        int closed = future.components.idleSweeper().sweep();
        assertTrue(closed >= 1);
        assertEquals(List.of(), t.components.streamRecorder().record(t.records(tenant, "s-tool")));
        JsonNode session = t.session(tenant, "s-tool");
        assertEquals("completed", session.get("status").asText());
        assertEquals("Aborted", session.get("loops").get(0).get("status").asText());
        assertEquals(5, session.get("recorded_through_seq").asLong());
        assertEquals(5, session.get("head_seq").asLong());
        // The rebuild from the log repeats the abort: it equals what the stream built.
        JsonNode streamBuilt = storedFold(tenant, "s-tool");
        t.components.streamRecorder().rebuild(new StreamKey(tenant, "s-tool"));
        assertSameJson(streamBuilt, storedFold(tenant, "s-tool"));
        // Once folded, the session has no open loops: a later run leaves it alone.
        assertTrue(future.components.sessionStore().openAndIdle(later.instant(), 1000).stream()
                .noneMatch(k -> k.sessionId().equals("s-tool") && k.tenant().equals(tenant)));
    }

    @Test
    void aSessionOf2000LoopsAnd20000EventsMaterializesAndIsServed() {
        String tenant = RecorderTestSupport.newTenant();
        String session = "s-big";
        List<EventRecord> run = AgentRunGenerator.generate(AgentRunGenerator.Config.of(session, 2000)
                .withShape(0, 1, 2).withLinks(4, 0, 3, 0)).events();
        assertTrue(run.size() >= 20_000, "generated " + run.size());
        t.append(tenant, session, run.stream().map(EventRecord::event).toList());
        List<StreamRecord> records = t.records(tenant, session);
        for (int i = 0; i < records.size(); i += 1000) {
            assertEquals(List.of(), t.components.streamRecorder().record(records.subList(i, Math.min(records.size(), i + 1000))));
        }
        JsonNode served = t.session(tenant, session);
        assertEquals(2000, served.get("loops").size());
        assertEquals(run.size(), served.get("recorded_through_seq").asLong());
        assertSameJson(inOrderFold(tenant, session), storedFoldWithoutServeFields(served));
        JsonNode loop = t.api.get(tenant, "/v1/sessions/" + session + "/loops/" + served.get("loops").get(1999).get("loop_id").asText()).body();
        assertEquals(served.get("loops").get(1999).get("loop_id"), loop.get("loop_id"));
        assertNotNull(t.components.sessionStore().load(new StreamKey(tenant, session)).orElseThrow());
    }

    @Test
    void rebuildingASessionWithoutEventsStoresNothing() {
        StreamKey key = new StreamKey(RecorderTestSupport.newTenant(), "s-none");
        assertEquals(0, t.components.streamRecorder().rebuild(key).recordedThroughSeq());
        assertTrue(t.components.sessionStore().load(key).isEmpty());
        assertEquals(404, t.api.get(key.tenant(), "/v1/sessions/s-none").status());
    }

    private static JsonNode storedFoldWithoutServeFields(JsonNode served) {
        ObjectNode copy = served.deepCopy();
        copy.remove("head_seq");
        copy.remove("archived_through_seq");
        return Json.parse(Json.bytes(copy));
    }
}
