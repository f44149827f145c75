package dev.sessionlog.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.erase.Eraser;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A session as the version before expiry left it: event items without expires_at, and the archived
 * ones replaced by stubs (no body, "archived": true) through stubbed_through. This version reads it,
 * appends to it, recognises retries of its stubbed ids, forks it inside the stubs, verifies its chain
 * and erases it, without a migration step.
 */
class EarlierLayoutTest {

    @Test
    void aSessionArchivedWithStubsIsReadAppendedToForkedVerifiedAndErased() {
        MutableClock clock = new MutableClock(Instant.parse("2026-10-01T00:00:00Z"));
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-earlier");
        String table = t.aws.table("EventsTable");
        DynamoDbClient dynamo = t.aws.embedded().dynamo();

        List<JsonNode> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sent.add(Json.MAPPER.createObjectNode().put("type", "Note").put("n", i));
        }
        t.append(tenant, "s-earlier", sent.subList(0, 1));
        ObjectNode child = Json.MAPPER.createObjectNode(); // e-2 is a child of e-1
        child.putArray("events").addObject().put("event_id", "e-2").put("parent_event_id", "e-1").set("event", sent.get(1));
        assertEquals(201, t.api.post(tenant, "/v1/sessions/s-earlier/events", child).status());
        t.append(tenant, "s-earlier", sent.subList(2, 30), 2);
        t.record(tenant, "s-earlier");
        clock.advance(Duration.ofDays(2));
        t.components.archiver().archive(key, clock.instant().minus(Duration.ofHours(24)));
        assertEquals(30, t.components.archiveMeta().load(key).archivedThrough());

        // What the earlier version left: an item per event, no expiry on any, stubs for 1..29 (the head stayed whole).
        for (Map<String, AttributeValue> item : dynamo.query(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk AND seq > :zero")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":zero", AttributeValue.fromN("0")))).items()) {
            for (Map<String, AttributeValue> event : EventItems.expand(item)) { // one item per event, as it then was
                Map<String, AttributeValue> earlier = new java.util.HashMap<>(event);
                earlier.remove(EventItems.EXPIRES_AT);
                dynamo.putItem(b -> b.tableName(table).item(EventItems.seq(event) < 30 ? EventItems.stub(earlier) : earlier));
            }
        }
        dynamo.updateItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN("0")))
                .updateExpression("SET stubbed_through = :s REMOVE archived_chain")
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromN("29"))));

        // Read: every event, bodies from the archive.
        List<JsonNode> read = t.readAll(tenant, "s-earlier", 7);
        assertEquals(30, read.size());
        for (int i = 0; i < 30; i++) {
            assertEquals(sent.get(i), read.get(i).get("event"), "event " + (i + 1));
        }
        // A retry of a stubbed id is recognised; its parent finds the stubbed child.
        ApiClient.Response retry = t.api.post(tenant, "/v1/sessions/s-earlier/events", one("e-5", sent.get(4)));
        assertEquals(200, retry.status(), retry.body().toString());
        assertEquals(5, retry.body().get("events").get(0).get("seq").asLong());
        JsonNode children = t.api.get(tenant, "/v1/sessions/s-earlier/events/e-1/children").body();
        assertEquals(1, children.get("children").size(), children.toString());
        assertEquals(sent.get(1), children.get("children").get(0).get("event"));
        // Append: seq 31, linked to the chain at the whole head.
        ObjectNode next = Json.MAPPER.createObjectNode().put("type", "Note").put("n", 30);
        ApiClient.Response appended = t.api.post(tenant, "/v1/sessions/s-earlier/events", one("e-31", next));
        assertEquals(201, appended.status(), appended.body().toString());
        assertEquals(31, appended.body().get("events").get(0).get("seq").asLong());
        // Fork inside the stubs: the fork reads the source's first 12 events, then its own.
        ApiClient.Response fork = t.api.post(tenant, "/v1/sessions/s-earlier/fork",
                Json.MAPPER.createObjectNode().put("new_session_id", "s-earlier-fork").put("at_seq", 12));
        assertEquals(201, fork.status(), fork.body().toString());
        assertEquals(201, t.api.post(tenant, "/v1/sessions/s-earlier-fork/events", one("f-13", next)).status());
        List<JsonNode> forked = t.readAll(tenant, "s-earlier-fork", 50);
        assertEquals(13, forked.size());
        assertEquals(sent.get(11), forked.get(11).get("event"));
        // Verify: the whole chain, the earlier part and the new one.
        for (String session : List.of("s-earlier", "s-earlier-fork")) {
            ApiClient.Response verified = t.api.get(tenant, "/v1/sessions/" + session + "/verify");
            assertEquals(200, verified.status(), verified.body().toString());
            assertTrue(verified.body().get("ok").asBoolean(), verified.body().toString());
        }
        // Erase: gone from DynamoDB (stubs included) and from reads; the fork keeps what it inherited.
        assertEquals(202, t.api.delete(tenant, "/v1/sessions/s-earlier").status());
        clock.set(clock.instant().plus(Eraser.GRACE).plusSeconds(1));
        t.components.eraser(Eraser.CrashPoints.NONE).run();
        assertEquals(404, t.api.get(tenant, "/v1/sessions/s-earlier/events").status());
        assertEquals(0, dynamo.query(b -> b.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk())))).items().size());
        assertEquals(forked, t.readAll(tenant, "s-earlier-fork", 50));
    }

    /**
     * A session as the version before packs wrote it: an item per event (with expires_at), an index
     * entry per id. This version recognises retries of any of its ids, appends packs after it, archives
     * it, forks it inside either part, verifies and erases it.
     */
    @Test
    void aSessionWrittenAnItemPerEventIsReadAppendedToArchivedForkedVerifiedAndErased() {
        MutableClock clock = new MutableClock(Instant.parse("2026-10-05T00:00:00Z"));
        RecorderTestSupport before = new RecorderTestSupport(clock, AwsTestResource.settings().withAppendPacks(false));
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-per-event");
        String table = t.aws.table("EventsTable");
        DynamoDbClient dynamo = t.aws.embedded().dynamo();
        List<JsonNode> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            sent.add(Json.MAPPER.createObjectNode().put("type", "Note").put("n", i));
        }
        before.append(tenant, "s-per-event", sent.subList(0, 30));
        assertEquals(30, dynamo.query(b -> b.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk AND seq > :zero")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":zero", AttributeValue.fromN("0"))))
                .items().size(), "an item per event");

        // This version: a retry of any id, then a pack after the items.
        ApiClient.Response retry = t.api.post(tenant, "/v1/sessions/s-per-event/events", one("e-17", sent.get(16)));
        assertEquals(200, retry.status(), retry.body().toString());
        assertEquals(17, retry.body().get("events").get(0).get("seq").asLong());
        t.append(tenant, "s-per-event", sent.subList(30, 40), 30);
        assertEquals(sent, t.readAll(tenant, "s-per-event", 7).stream().map(e -> e.get("event")).toList());
        t.record(tenant, "s-per-event");
        assertEquals(40, t.session(tenant, "s-per-event").get("recorded_through_seq").asLong());

        clock.advance(Duration.ofDays(2));
        t.components.archiver().archive(key, clock.instant().minus(Duration.ofHours(24)));
        assertEquals(40, t.components.archiveMeta().load(key).archivedThrough());
        assertEquals(sent, t.readAll(tenant, "s-per-event", 9).stream().map(e -> e.get("event")).toList());

        // Forks inside the items of one event and inside the pack.
        for (int at : List.of(15, 35)) {
            ApiClient.Response fork = t.api.post(tenant, "/v1/sessions/s-per-event/fork",
                    Json.MAPPER.createObjectNode().put("new_session_id", "s-fork-" + at).put("at_seq", at));
            assertEquals(201, fork.status(), fork.body().toString());
            ApiClient.Response own = t.api.post(tenant, "/v1/sessions/s-fork-" + at + "/events", one("own-" + at, sent.get(0)));
            assertEquals(at + 1, own.body().get("events").get(0).get("seq").asLong());
            List<JsonNode> forked = t.readAll(tenant, "s-fork-" + at, 50);
            assertEquals(sent.subList(0, at), forked.subList(0, at).stream().map(e -> e.get("event")).toList());
        }
        for (String session : List.of("s-per-event", "s-fork-15", "s-fork-35")) {
            ApiClient.Response verified = t.api.get(tenant, "/v1/sessions/" + session + "/verify");
            assertTrue(verified.body().get("ok").asBoolean(), verified.body().toString());
        }
        assertEquals(202, t.api.delete(tenant, "/v1/sessions/s-per-event").status());
        clock.set(clock.instant().plus(Eraser.GRACE).plusSeconds(1));
        t.components.eraser(Eraser.CrashPoints.NONE).run();
        assertEquals(404, t.api.get(tenant, "/v1/sessions/s-per-event/events").status());
        assertEquals(0, dynamo.query(b -> b.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk())))).items().size());
        assertEquals(36, t.readAll(tenant, "s-fork-35", 50).size());
    }

    private static ObjectNode one(String id, JsonNode event) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("events").addObject().put("event_id", id).set("event", event);
        return body;
    }
}
