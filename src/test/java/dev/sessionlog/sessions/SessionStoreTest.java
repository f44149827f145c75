package dev.sessionlog.sessions;

import static dev.sessionlog.testing.JsonAssert.assertSameJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.AgentRunGenerator;
import dev.sessionlog.recorder.RecorderOptions;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.testing.AwsTestResource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The sessions store on moto and S3Proxy: states too big for an item, and racing writers. */
class SessionStoreTest {

    final RecorderTestSupport t = new RecorderTestSupport();
    final SessionStore store = t.components.sessionStore();

    private static SessionFold fold(List<EventRecord> events, int upTo) {
        SessionFold fold = SessionFold.start(events.get(0).event().path("session_id").asText("s-big"), RecorderOptions.defaults());
        fold.applyAll(events.subList(0, upTo));
        return fold;
    }

    private List<S3Object> stateObjects(StreamKey key) {
        String prefix = "sessions/tenant=" + StreamKey.encodeTenant(key.tenant()) + "/session=" + key.sessionId() + "/";
        return t.aws.embedded().s3().listObjectsV2(b -> b.bucket(AwsTestResource.BUCKET).prefix(prefix)).contents();
    }

    /** The S3 keys the stored state refers to: its state object, if any, and its frozen parts. */
    private static Set<String> needed(StreamKey key, SessionStore.Stored stored) {
        String prefix = "sessions/tenant=" + StreamKey.encodeTenant(key.tenant()) + "/session=" + key.sessionId() + "/";
        Set<String> keys = new TreeSet<>();
        if (stored.stateRef() != null) {
            keys.add(stored.stateRef());
        }
        stored.fold().frozenRefs().forEach(ref -> keys.add(prefix + ref + ".json.gz"));
        return keys;
    }

    @Test
    void theLoserOfARaceOverwritesNothingAndLeavesOnlyAPartNoStateNames() {
        StreamKey key = new StreamKey(RecorderTestSupport.newTenant(), "s-big");
        List<EventRecord> events = AgentRunGenerator.generate(AgentRunGenerator.Config.of("s-big", 150)).events();
        assertTrue(events.size() > 3000, "generated " + events.size());
        store.save(key, fold(events, 1200), SessionStore.Stored.none(null), null);
        SessionStore.Stored read = store.load(key).orElseThrow();
        assertFalse(read.fold().frozenRefs().isEmpty(), "a session this long keeps its closed loops in parts");

        SessionFold winner = fold(events, 3000);
        SessionFold loser = fold(events, 2000);
        store.save(key, winner, read, read.dueMarkedAt());
        assertThrows(SessionStore.ConcurrentUpdateException.class, () -> store.save(key, loser, read, read.dueMarkedAt()));

        SessionStore.Stored now = store.load(key).orElseThrow();
        assertEquals(3000, now.fold().recordedThroughSeq());
        assertSameJson(winner.toSessionJson(), now.fold().toSessionJson());
        Map<String, AttributeValue> item = t.aws.embedded().dynamo().getItem(b -> b.tableName(t.aws.table("SessionsTable"))
                .key(Map.of("pk", AttributeValue.fromS(key.pk())))).item();
        assertEquals(3000, Long.parseLong(item.get(SessionItems.RECORDED_THROUGH).n()), "summary and state agree");
        // the winner's objects; of the loser's, only its new part (had its put landed and its answer
        // been lost, a state saved on top of it could carry that part on), which no state names, so
        // the orphan sweep removes it after its grace (OrphanSweepTest)
        Set<String> stored = new TreeSet<>(stateObjects(key).stream().map(S3Object::key).toList());
        Set<String> needed = needed(key, store.load(key).orElseThrow());
        assertTrue(stored.containsAll(needed), () -> stored + " against " + needed);
        Set<String> left = new TreeSet<>(stored);
        left.removeAll(needed);
        assertEquals(1, left.size(), left::toString);
        assertTrue(left.iterator().next().contains("/loops-"), left::toString);
        assertFalse(store.needsObject(key, left.iterator().next()));
    }

    @Test
    void aRedeliveryPutsASessionBackOnTheArchiveIndexIfAnEarlierVersionDiedBeforeMarkingIt() {
        String tenant = RecorderTestSupport.newTenant();
        t.append(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json"));
        List<StreamRecord> records = t.records(tenant, "s-tool");
        assertEquals(List.of(), t.components.streamRecorder().record(records));
        // The version before this one marked the session due after its save (this one marks first),
        // and its run died in between: a state without due_marked_at, and no archive item.
        Map<String, AttributeValue> metaKey = Map.of("pk", AttributeValue.fromS(new StreamKey(tenant, "s-tool").pk()),
                "seq", AttributeValue.fromN("0"));
        t.aws.embedded().dynamo().deleteItem(b -> b.tableName(t.aws.table("EventsTable")).key(metaKey));
        t.aws.embedded().dynamo().updateItem(b -> b.tableName(t.aws.table("SessionsTable"))
                .key(Map.of("pk", AttributeValue.fromS(new StreamKey(tenant, "s-tool").pk())))
                .updateExpression("REMOVE " + SessionItems.DUE_MARKED_AT));
        assertEquals(List.of(), t.components.streamRecorder().record(records));
        Map<String, AttributeValue> meta = t.aws.embedded().dynamo().getItem(b -> b.tableName(t.aws.table("EventsTable")).key(metaKey)).item();
        assertTrue(meta.containsKey("archive_after"), meta::toString);
        assertEquals(String.valueOf(RecorderTestSupport.fixture("tool_loop.json").size()), meta.get("indexed_through").n());
    }
}
