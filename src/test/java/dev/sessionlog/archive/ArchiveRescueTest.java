package dev.sessionlog.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.local.MotoServer;
import dev.sessionlog.local.StreamEvents;
import dev.sessionlog.local.StreamPoller;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Events;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Event items expire (TTL, hot window + grace after they were written) whether or not the archiver
 * has moved them. When it has not (it was stopped), nothing is lost: TTL's REMOVE records bring the
 * old images to the recorder function, which writes them to the archive; the session reads back
 * whole, and appends go on after it with the chain intact.
 */
class ArchiveRescueTest {

    /** Long before every other test's clock: the TTL sweep below deletes this test's items only. */
    private static final Instant T0 = Instant.parse("2001-02-03T04:05:06Z");

    @Test
    void noEventIsLostWhenTtlOutrunsAStoppedArchiver() throws Exception {
        MutableClock clock = new MutableClock(T0);
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-rescued");
        String table = t.aws.table("EventsTable");
        StreamPoller poller = StreamPoller.fromNow(t.aws.embedded().dynamo(), t.aws.embedded().streams(), table, "us-east-1");

        List<JsonNode> sent = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            clock.advance(Duration.ofSeconds(30));
            ObjectNode event = Json.MAPPER.createObjectNode().put("type", "Note").put("n", i);
            if (i == 77) {
                event.put("blob", Events.randomText(77, 40_000)); // a body kept in S3, not in the item
            }
            sent.add(event);
            if (i == 99) { // e-100 is a child of e-5
                ObjectNode child = Json.MAPPER.createObjectNode();
                child.putArray("events").addObject().put("event_id", "e-100").put("parent_event_id", "e-5").set("event", event);
                assertEquals(201, t.api.post(tenant, "/v1/sessions/s-rescued/events", child).status());
            } else {
                t.append(tenant, "s-rescued", List.of(event), i); // one a request, 30 s apart: e-1 at T0 + 30 s
            }
        }
        poller.pollOnce(event -> StreamEvents.deliver(t.components.streamEventHandler(), event)); // the recorder folds them
        Map<String, AttributeValue> first = t.aws.embedded().dynamo().getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN("1")))).item();
        long expiresAt = Long.parseLong(first.get("expires_at").n());
        assertEquals(Long.parseLong(first.get("recorded_at").n()) / 1000 + Duration.ofDays(8).toSeconds(), expiresAt,
                "an event's item expires the hot window (24 h) plus the grace (7 days) after it was recorded");

        // The archiver archives the first 40 (say it ran once, then stopped).
        clock.set(T0.plus(Duration.ofHours(24)).plus(Duration.ofMinutes(20)));
        t.components.archiver().archive(key, T0.plus(Duration.ofMinutes(20)).plusSeconds(1));
        assertEquals(40, t.components.archiveMeta().load(key).archivedThrough());

        // Nine days later TTL has deleted every item, archived or not.
        clock.set(T0.plus(Duration.ofDays(9)));
        assertTrue(MotoServer.expireItems(t.aws.embedded().dynamoEndpoint(), clock.instant()) >= 130); // (and older tests' items)
        assertEquals(List.of(), eventSeqs(t, key), "every event's item is gone");

        // Before the REMOVE records are handled, the log's end is not known: an append waits (429), it does not reuse seqs.
        ApiClient.Response early = t.api.post(tenant, "/v1/sessions/s-rescued/events", request("late", 0));
        assertEquals(429, early.status(), early.body().toString());

        poller.pollOnce(event -> StreamEvents.deliver(t.components.streamEventHandler(), event));
        assertEquals(130, t.components.archiveMeta().load(key).archivedThrough(), "the 90 rescued events were adopted");
        List<JsonNode> read = t.readAll(tenant, "s-rescued", 50);
        assertEquals(130, read.size());
        for (int i = 0; i < 130; i++) {
            assertEquals(i + 1, read.get(i).get("seq").asLong());
            assertEquals(sent.get(i), read.get(i).get("event"), "event " + (i + 1));
        }

        // The child's item is gone, but its parent still finds it: the rescue left a link that does not expire.
        ApiClient.Response childPage = t.api.get(tenant, "/v1/sessions/s-rescued/events/e-5/children");
        assertEquals(200, childPage.status(), childPage.body().toString());
        JsonNode children = childPage.body();
        assertEquals(1, children.get("children").size(), children.toString());
        assertEquals(100, children.get("children").get(0).get("seq").asLong());
        assertEquals(sent.get(99), children.get("children").get(0).get("event"));
        assertEquals(0, MotoServer.expireItems(t.aws.embedded().dynamoEndpoint(), T0.plus(Duration.ofDays(3650))),
                "links, the archive's state item and the erasure's items never expire");

        // A fork inside what TTL deleted links to the chain there (read from the archive), and verifies.
        ApiClient.Response fork = t.api.post(tenant, "/v1/sessions/s-rescued/fork",
                Json.MAPPER.createObjectNode().put("new_session_id", "s-rescued-fork").put("at_seq", 60));
        assertEquals(201, fork.status(), fork.body().toString());
        assertEquals(201, t.api.post(tenant, "/v1/sessions/s-rescued-fork/events", request("f-61", 61)).status());
        ApiClient.Response forkVerified = t.api.get(tenant, "/v1/sessions/s-rescued-fork/verify");
        assertEquals(200, forkVerified.status(), forkVerified.body().toString());
        assertTrue(forkVerified.body().get("ok").asBoolean(), forkVerified.body().toString());
        assertEquals(61, forkVerified.body().get("through_seq").asLong());

        // The log goes on after the archive: seq 131 links to the chain at 130, and verify finds it whole.
        ApiClient.Response appended = t.api.post(tenant, "/v1/sessions/s-rescued/events", request("late", 0));
        assertEquals(201, appended.status(), appended.body().toString());
        assertEquals(131, appended.body().get("events").get(0).get("seq").asLong());
        ApiClient.Response verified = t.api.get(tenant, "/v1/sessions/s-rescued/verify");
        assertEquals(200, verified.status(), verified.body().toString());
        assertTrue(verified.body().get("ok").asBoolean(), verified.body().toString());
        assertEquals(131, verified.body().get("through_seq").asLong(), verified.body().toString());
    }

    @Test
    void aReadThatWouldSkipEventsBeingRescuedAnswers429() throws Exception {
        Instant t1 = Instant.parse("2000-01-01T00:00:00Z"); // long before every other test's clock but the one above
        MutableClock clock = new MutableClock(t1);
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-hole");
        StreamPoller poller = StreamPoller.fromNow(t.aws.embedded().dynamo(), t.aws.embedded().streams(), t.aws.table("EventsTable"),
                "us-east-1");
        List<JsonNode> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            clock.advance(Duration.ofSeconds(30));
            ObjectNode event = Json.MAPPER.createObjectNode().put("type", "Note").put("n", i);
            sent.add(event);
            t.append(tenant, "s-hole", List.of(event), i);
        }
        poller.pollOnce(event -> StreamEvents.deliver(t.components.streamEventHandler(), event));
        clock.set(t1.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(20)));
        t.components.archiver().archive(key, t1.plus(Duration.ofMinutes(10)).plusSeconds(1));
        assertEquals(20, t.components.archiveMeta().load(key).archivedThrough());

        // TTL has reached events 1..40 (older items expire first); 41..60 are still there.
        clock.set(t1.plus(Duration.ofDays(8)).plus(Duration.ofMinutes(20)).plusSeconds(1));
        assertTrue(MotoServer.expireItems(t.aws.embedded().dynamoEndpoint(), clock.instant()) >= 40);
        assertEquals(java.util.stream.LongStream.rangeClosed(41, 60).boxed().toList(), eventSeqs(t, key));
        for (String page : List.of("?after_seq=0&limit=100", "?after_seq=30&limit=100", "?order=desc&limit=100")) {
            ApiClient.Response hole = t.api.get(tenant, "/v1/sessions/s-hole/events" + page);
            assertEquals(429, hole.status(), page + ": " + hole.body());
        }

        poller.pollOnce(event -> StreamEvents.deliver(t.components.streamEventHandler(), event));
        assertEquals(40, t.components.archiveMeta().load(key).archivedThrough());
        List<JsonNode> read = t.readAll(tenant, "s-hole", 100);
        assertEquals(60, read.size());
        for (int i = 0; i < 60; i++) {
            assertEquals(sent.get(i), read.get(i).get("event"), "event " + (i + 1));
        }
    }

    /** The seqs of the session's event items in DynamoDB. */
    private static List<Long> eventSeqs(RecorderTestSupport t, StreamKey key) {
        return t.aws.embedded().dynamo().query(b -> b.tableName(t.aws.table("EventsTable")).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND seq > :zero")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":zero", AttributeValue.fromN("0"))))
                .items().stream().filter(i -> i.containsKey("event_id")).map(i -> Long.parseLong(i.get("seq").n())).toList();
    }

    private static ObjectNode request(String id, int n) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("events").addObject().put("event_id", id).set("event", Json.MAPPER.createObjectNode().put("type", "Note").put("n", n));
        return body;
    }
}
