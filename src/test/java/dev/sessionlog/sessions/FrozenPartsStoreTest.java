package dev.sessionlog.sessions;

import static dev.sessionlog.testing.JsonAssert.assertSameJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.erase.Eraser;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.AgentRunGenerator;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A long session recorded batch by batch on moto and S3Proxy: its closed loops are written to S3 once,
 * in parts, and its state item stays small; it is served whole, a late event for a frozen loop folds
 * as it would without parts, a rebuild and an erasure leave no part behind.
 */
class FrozenPartsStoreTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    final RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
    final SessionStore store = t.components.sessionStore();

    private Set<String> objects(StreamKey key) {
        return new TreeSet<>(t.aws.embedded().s3().listObjectsV2(b -> b.bucket(AwsTestResource.BUCKET).prefix(store.statePrefix(key)))
                .contents().stream().map(S3Object::key).toList());
    }

    private Map<String, AttributeValue> item(StreamKey key) {
        return t.aws.embedded().dynamo().getItem(b -> b.tableName(t.aws.table("SessionsTable"))
                .key(Map.of("pk", AttributeValue.fromS(key.pk())))).item();
    }

    @Test
    void aLongSessionWritesEachClosedLoopOnceAndKeepsItsStateItemSmall() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-long");
        List<JsonNode> events = AgentRunGenerator.generate(AgentRunGenerator.Config.of("s-long", 150).withSeed(5)).events().stream()
                .map(EventRecord::event).toList();
        assertTrue(events.size() > 2500, "generated " + events.size());
        AwsCalls.reset();
        for (int from = 0; from < events.size(); from += 100) {
            t.append(tenant, "s-long", events.subList(from, Math.min(events.size(), from + 100)), from);
            t.record(tenant, "s-long"); // a batch: the new request's record (the earlier ones are folded already)
        }
        List<String> statePuts = AwsCalls.calls("S3").stream().filter(c -> c.operation().equals("PutObject"))
                .map(c -> ((software.amazon.awssdk.services.s3.model.PutObjectRequest) c.request()).key())
                .filter(objectKey -> objectKey.contains("/session=s-long/")).toList();
        SessionStore.Stored stored = store.load(key).orElseThrow();
        List<String> parts = stored.fold().frozenRefs();
        assertFalse(parts.isEmpty());
        assertEquals(statePuts.size(), new TreeSet<>(statePuts).size(), "each part written once: " + statePuts);
        // no state object: parts of loops (one a Bloom filter's false "maybe" brought back is merged into
        // the next), and finished turns of loops while they ran (back in their loop's part once it closed)
        assertTrue(statePuts.stream().allMatch(objectKey -> objectKey.contains("/loops-") || objectKey.contains("/turns-")), statePuts::toString);
        assertTrue(parts.stream().allMatch(ref -> statePuts.stream().anyMatch(objectKey -> objectKey.contains("/" + ref + "."))),
                parts + " against " + statePuts);
        assertNull(stored.stateRef(), "the state stays in its item");
        int itemBytes = item(key).get(SessionItems.STATE_GZ).b().asByteArray().length;
        assertTrue(itemBytes < 8 * 1024, "the state item holds " + itemBytes + " bytes");
        Set<String> needed = objects(key);
        assertEquals(parts.size(), needed.size());
        assertTrue(needed.stream().allMatch(objectKey -> store.needsObject(key, objectKey)));

        // served whole: what a fold of the whole log gives
        JsonNode served = t.session(tenant, "s-long");
        SessionFold ofTheLog = t.components.streamRecorder().rebuild(key);
        assertSameJson(ofTheLog.toSessionJson(), withoutServedFields(served));
        assertEquals(events.size(), served.get("recorded_through_seq").asLong());
        // the rebuild stored a state of its own: the parts it replaced are gone
        Set<String> afterRebuild = objects(key);
        assertTrue(afterRebuild.stream().noneMatch(needed::contains), () -> afterRebuild + " against " + needed);
        assertTrue(afterRebuild.stream().allMatch(objectKey -> store.needsObject(key, objectKey)));

        // a late event of the first loop, long frozen: a fold error, as it would be without parts
        String firstLoop = served.get("loops").get(0).get("loop_id").asText();
        ObjectNode late = Json.MAPPER.createObjectNode().put("type", "TurnStart").put("loop_id", firstLoop).put("turn_index", 99)
                .put("timestamp", "2026-11-21T10:00:00Z").put("triggered_by", "User");
        t.append(tenant, "s-long", List.of(late), events.size());
        t.record(tenant, "s-long");
        JsonNode after = t.session(tenant, "s-long");
        assertEquals(served.get("fold_error_count").asLong() + 1, after.get("fold_error_count").asLong(), after.get("fold_errors").toString());
        assertSameJson(served.get("loops"), after.get("loops"));
        assertTrue(objects(key).stream().allMatch(objectKey -> store.needsObject(key, objectKey)), "no part left unreferenced");

        // erased: nothing of the state is left
        assertEquals(202, t.api.delete(tenant, "/v1/sessions/s-long").status());
        clock.set(clock.instant().plus(Eraser.GRACE).plusSeconds(1));
        t.components.eraser(Eraser.CrashPoints.NONE).run();
        assertEquals(Set.of(), objects(key));
    }

    @Test
    void withFrozenLoopsOffAStateWithPartsIsSavedWholeAndItsPartsGo() {
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-back");
        List<JsonNode> events = AgentRunGenerator.generate(AgentRunGenerator.Config.of("s-back", 60).withSeed(3)).events().stream()
                .map(EventRecord::event).toList();
        t.append(tenant, "s-back", events.subList(0, events.size() - 10));
        t.record(tenant, "s-back");
        assertFalse(store.load(key).orElseThrow().fold().frozenRefs().isEmpty());
        JsonNode before = t.session(tenant, "s-back");

        // what a deployment with RECORDER_FROZEN_LOOPS=false does at the session's next save
        t.append(tenant, "s-back", events.subList(events.size() - 10, events.size()), events.size() - 10);
        SessionStore whole = new SessionStore(t.aws.embedded().dynamo(), t.aws.embedded().s3(), t.aws.table("SessionsTable"),
                AwsTestResource.BUCKET, "", store.options(), false);
        SessionStore.Stored stored = whole.load(key).orElseThrow();
        stored.fold().applyAll(t.components.eventLog().read(key, stored.fold().recordedThroughSeq(), 100));
        whole.save(key, stored.fold(), stored, stored.dueMarkedAt());

        SessionStore.Stored saved = whole.load(key).orElseThrow();
        assertEquals(List.of(), saved.fold().frozenRefs());
        assertEquals(1, saved.fold().toStateJson().get("state_version").asInt(), "a state as versions before parts wrote it");
        assertEquals(Set.of(), objects(key).stream().filter(o -> o.contains("/loops-")).collect(java.util.stream.Collectors.toSet()));
        JsonNode after = t.session(tenant, "s-back");
        assertEquals(events.size(), after.get("recorded_through_seq").asLong());
        assertSameJson(before.get("loops").get(0), after.get("loops").get(0));
    }

    /** The session as the recorder stores it: without what GET adds from the log (head, archive). */
    private static JsonNode withoutServedFields(JsonNode served) {
        ObjectNode copy = served.deepCopy();
        copy.remove("head_seq");
        copy.remove("archived_through_seq");
        return copy;
    }
}
