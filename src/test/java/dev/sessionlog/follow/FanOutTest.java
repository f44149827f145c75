package dev.sessionlog.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.FanOutEventHandler;
import dev.sessionlog.local.EmbeddedAws;
import dev.sessionlog.local.StreamEvents;
import dev.sessionlog.local.StreamPoller;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.sessions.StreamRecord;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The fan-out fed with stream batches (recorded off moto's stream as Lambda's event JSON, or the
 * records of the session's items), with connections that take messages, are gone, or fail.
 */
class FanOutTest {

    final MutableClock clock = new MutableClock(Instant.now());
    final RecorderTestSupport t = new RecorderTestSupport(clock);
    final String tenant = RecorderTestSupport.newTenant();
    final Subscriptions subscriptions = t.components.subscriptions();
    final RecordingConnections connections = new RecordingConnections();
    final FanOut fanOut = new FanOut(subscriptions, connections, clock);

    /** Takes messages, or answers gone, or fails, per connection. */
    static final class RecordingConnections implements Connections {
        final Map<String, List<String>> sent = new ConcurrentHashMap<>();
        final Set<String> gone = ConcurrentHashMap.newKeySet();
        final Set<String> failing = ConcurrentHashMap.newKeySet();
        final List<String> closed = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Delivery send(String connectionId, String message) {
            if (failing.contains(connectionId)) {
                throw new IllegalStateException("throttled (429)");
            }
            if (gone.contains(connectionId)) {
                return Delivery.GONE;
            }
            sent.computeIfAbsent(connectionId, id -> Collections.synchronizedList(new ArrayList<>())).add(message);
            return Delivery.SENT;
        }

        @Override
        public void close(String connectionId) {
            closed.add(connectionId);
        }

        List<JsonNode> messages(String connectionId) {
            return sent.getOrDefault(connectionId, List.of()).stream().map(m -> Json.parse(m.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toList();
        }
    }

    static String events(String prefix, int n, int bodyBytes) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        for (int i = 0; i < n; i++) {
            body.withArray("events").addObject().put("event_id", prefix + i).set("event",
                    Json.MAPPER.createObjectNode().put("type", "Note").put("text", "x".repeat(bodyBytes)));
        }
        return Json.write(body);
    }

    static List<Long> seqs(JsonNode message) {
        List<Long> seqs = new ArrayList<>();
        message.get("events").forEach(e -> seqs.add(e.get("seq").asLong()));
        return seqs;
    }

    private static long recordsOf(StreamKey key, List<ObjectNode> batches) {
        long n = 0;
        for (ObjectNode batch : batches) {
            for (JsonNode r : batch.get("Records")) {
                n += key.pk().equals(r.path("dynamodb").path("Keys").path("pk").path("S").asText()) ? 1 : 0;
            }
        }
        return n;
    }

    private List<String> ids(StreamKey key) {
        return subscriptions.of(FollowTopic.session(key)).stream().map(Subscriptions.Subscription::connectionId).sorted().toList();
    }

    @Test
    void aRecordedBatchReachesItsFollowersOnceARedeliveryAgainAndGoneConnectionsLoseTheirSubscriptions() throws Exception {
        StreamKey key = new StreamKey(tenant, "s");
        EmbeddedAws aws = t.aws.embedded();
        StreamPoller poller = StreamPoller.fromNow(aws.dynamo(), aws.streams(), t.aws.table("EventsTable"), EmbeddedAws.REGION.id());
        clock.set(Instant.now().minus(Duration.ofMinutes(5)));
        subscriptions.add(FollowTopic.session(key), "open");
        subscriptions.add(FollowTopic.session(key), "gone-long-ago");
        clock.set(Instant.now());
        subscriptions.add(FollowTopic.session(key), "still-opening");
        connections.gone.addAll(List.of("gone-long-ago", "still-opening"));
        assertEquals(201, t.api.post(tenant, "/v1/sessions/s/events", events("a", 3, 10)).status());
        assertEquals(201, t.api.post(tenant, "/v1/sessions/s/events", events("b", 2, 10)).status());
        // the batch as Lambda hands it over, recorded off the stream
        List<ObjectNode> batches = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (recordsOf(key, batches) < 2 && System.nanoTime() < deadline) {
            poller.pollOnce(event -> {
                batches.add(event);
                return List.of();
            });
        }
        FanOutEventHandler handler = new FanOutEventHandler(fanOut);
        for (int delivery = 1; delivery <= 2; delivery++) { // Lambda may deliver a batch again
            for (ObjectNode batch : batches) {
                assertEquals(List.of(), StreamEvents.deliver(handler::handle, batch));
            }
        }
        List<Long> received = new ArrayList<>();
        connections.messages("open").forEach(m -> {
            assertEquals("events", m.get("type").asText());
            assertEquals("s", m.get("session_id").asText());
            received.addAll(seqs(m));
        });
        List<Long> once = List.of(1L, 2L, 3L, 4L, 5L);
        List<Long> twice = new ArrayList<>(once);
        twice.addAll(once);
        assertEquals(twice, received, "the batch, in seq order, then its redelivery");
        assertEquals(List.of("open", "still-opening"), ids(key), "a connection gone for minutes is dropped, one opening is kept");
    }

    @Test
    void aSessionWhoseFollowerCannotBeReachedIsRetriedFromItsFirstRecordOthersAreNotHeldUp() {
        StreamKey stuck = new StreamKey(tenant, "stuck");
        StreamKey fine = new StreamKey(tenant, "fine");
        subscriptions.add(FollowTopic.session(stuck), "throttled");
        subscriptions.add(FollowTopic.session(fine), "reader");
        connections.failing.add("throttled");
        t.api.post(tenant, "/v1/sessions/stuck/events", events("s", 2, 10));
        t.api.post(tenant, "/v1/sessions/stuck/events", events("t", 2, 10));
        t.api.post(tenant, "/v1/sessions/fine/events", events("f", 2, 10));
        List<StreamRecord> records = new ArrayList<>(t.records(tenant, "stuck"));
        records.addAll(t.records(tenant, "fine"));
        assertEquals(List.of(records.get(0).sequenceNumber()), fanOut.push(records));
        assertEquals(List.of(1L, 2L), seqs(connections.messages("reader").get(0)));
        assertEquals(List.of("reader"), ids(fine));
        assertEquals(List.of("throttled"), ids(stuck), "a failure is no reason to drop a follower");
    }

    @Test
    void aBodyKeptInS3OrMoreThanAMessageHoldsComesAsANoticeToReadOverHttp() {
        StreamKey key = new StreamKey(tenant, "large");
        subscriptions.add(FollowTopic.session(key), "reader");
        t.api.post(tenant, "/v1/sessions/large/events", events("small", 2, 10));
        t.api.post(tenant, "/v1/sessions/large/events", events("big", 1, 600_000));
        fanOut.push(t.records(tenant, "large"));
        List<JsonNode> messages = connections.messages("reader");
        assertEquals(List.of(1L, 2L), seqs(messages.get(0)));
        assertEquals("appended", messages.get(1).get("type").asText(), messages::toString);
        assertEquals(3, messages.get(1).get("through_seq").asLong());

        // many events of 10 KB: several messages, each within API Gateway's 128 KB, then nothing lost
        StreamKey many = new StreamKey(tenant, "many");
        subscriptions.add(FollowTopic.session(many), "reader-2");
        t.api.post(tenant, "/v1/sessions/many/events", events("m", 40, 10_000));
        fanOut.push(t.records(tenant, "many"));
        List<Long> all = new ArrayList<>();
        for (String m : connections.sent.get("reader-2")) {
            assertTrue(m.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= FollowMessages.MAX_MESSAGE_BYTES, "" + m.length());
            all.addAll(seqs(Json.parse(m.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        }
        assertTrue(connections.sent.get("reader-2").size() >= 4);
        assertEquals(IntStream.rangeClosed(1, 40).mapToObj(i -> (long) i).toList(), all);
    }

    @Test
    void anErasuresMarkTellsTheFollowersClosesThemAndEndsTheirSubscriptions() {
        StreamKey key = new StreamKey(tenant, "erased");
        subscriptions.add(FollowTopic.session(key), "a");
        subscriptions.add(FollowTopic.session(key), "b");
        t.api.post(tenant, "/v1/sessions/erased/events", events("e", 2, 10));
        assertEquals(202, t.api.send("DELETE", tenant, "/v1/sessions/erased", null).status());
        // the erasure's mark, as the stream carries it: the item above the head, marked erasing
        var mark = t.aws.embedded().dynamo().query(b -> b.tableName(t.aws.table("EventsTable")).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(key.pk()))))
                .items().stream().filter(item -> item.containsKey("erasing")).findFirst().orElseThrow();
        assertEquals(List.of(), fanOut.push(List.of(new StreamRecord("mark", "INSERT", mark))));
        for (String follower : List.of("a", "b")) {
            assertEquals(List.of("erased"), connections.messages(follower).stream().map(m -> m.get("type").asText()).toList());
        }
        assertEquals(Set.of("a", "b"), Set.copyOf(connections.closed));
        assertEquals(List.of(), ids(key));
    }

    @Test
    void sessionsNobodyFollowsCostOneQueryAndSendNothing() {
        t.api.post(tenant, "/v1/sessions/alone/events", events("x", 3, 10));
        assertEquals(List.of(), fanOut.push(t.records(tenant, "alone")));
        assertTrue(connections.sent.isEmpty());
    }

    @Test
    void aTenantsListFollowersLearnWhichSessionsGotEventsOrWereErasedOneMessageABatch() {
        subscriptions.add(FollowTopic.tenantList(tenant), "lister");
        String other = RecorderTestSupport.newTenant();
        subscriptions.add(FollowTopic.tenantList(other), "other-lister");
        t.api.post(tenant, "/v1/sessions/a/events", events("a", 2, 10));
        t.api.post(tenant, "/v1/sessions/a/events", events("a2", 1, 10));
        t.api.post(tenant, "/v1/sessions/b/events", events("b", 1, 10));
        t.api.post(tenant, "/v1/sessions/c/events", events("c", 1, 10));
        assertEquals(202, t.api.send("DELETE", tenant, "/v1/sessions/c", null).status());
        var mark = t.aws.embedded().dynamo().query(b -> b.tableName(t.aws.table("EventsTable")).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                        new StreamKey(tenant, "c").pk())))).items().stream().filter(item -> item.containsKey("erasing")).findFirst().orElseThrow();
        List<StreamRecord> batch = new ArrayList<>(t.records(tenant, "a"));
        batch.addAll(t.records(tenant, "b"));
        batch.add(new StreamRecord("mark", "INSERT", mark));
        assertEquals(List.of(), fanOut.push(batch));
        List<JsonNode> messages = connections.messages("lister");
        assertEquals(1, messages.size(), messages::toString);
        assertEquals("sessions", messages.get(0).get("type").asText());
        assertEquals(Json.parse(("[{\"session_id\":\"a\",\"head_seq\":3},{\"session_id\":\"b\",\"head_seq\":1},"
                + "{\"session_id\":\"c\",\"erased\":true}]").getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                messages.get(0).get("sessions"));
        assertTrue(connections.messages("other-lister").isEmpty(), "another tenant's list learns nothing");
    }
}
