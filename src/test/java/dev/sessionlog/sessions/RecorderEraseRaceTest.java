package dev.sessionlog.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.function.Components;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.testing.AwsTestResource;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * A DELETE that lands between the recorder's read of a session and its save: the session stays off
 * the lists. The erasure is made to land there by running it from inside the recorder's own PutItem
 * of the session (an SDK interceptor), on moto.
 */
class RecorderEraseRaceTest {

    final RecorderTestSupport t = new RecorderTestSupport();

    /** A recorder whose first save of {@code key} is preceded by that session's DELETE through the API. */
    private Components recorderRacedBy(StreamKey key, AtomicBoolean erased) {
        String sessions = t.aws.table("SessionsTable");
        ExecutionInterceptor eraseFirst = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof PutItemRequest put && put.tableName().equals(sessions)
                        && put.item().get("pk").s().equals(key.pk()) && erased.compareAndSet(false, true)) {
                    assertEquals(202, t.api.delete(key.tenant(), "/v1/sessions/" + key.sessionId()).status());
                }
            }
        };
        return new Components(AwsTestResource.settings(), t.aws.embedded().dynamo(eraseFirst), t.aws.embedded().s3(),
                t.aws.embedded().checkpointS3(), Clock.systemUTC(), Metrics.NONE);
    }

    /** The fixture's tool loop (session s-tool) appended for a tenant of its own. */
    private StreamKey appendedToolLoop() {
        String tenant = RecorderTestSupport.newTenant();
        t.appendEach(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json")); // a record per event
        return new StreamKey(tenant, "s-tool");
    }

    private void assertNotListed(StreamKey key) {
        Map<String, AttributeValue> item = t.aws.embedded().dynamo().getItem(b -> b.tableName(t.aws.table("SessionsTable"))
                .key(Map.of("pk", AttributeValue.fromS(key.pk()))).consistentRead(true)).item();
        if (item != null && !item.isEmpty()) {
            for (String listKey : List.of(SessionItems.TENANT_KEY, SessionItems.AGENT_KEY, SessionItems.FORK_KEY,
                    SessionItems.OPEN_SHARD, SessionItems.RETENTION_SHARD)) {
                assertFalse(item.containsKey(listKey), listKey + " puts the erased session back on a list: " + item.keySet());
            }
        }
        String list = t.api.get(key.tenant(), "/v1/sessions").body().toString();
        assertFalse(list.contains(key.sessionId()), list);
    }

    @Test
    void aDeleteBetweenTheReadAndTheSaveOfARecordedSessionKeepsItOffTheLists() {
        StreamKey key = appendedToolLoop();
        String tenant = key.tenant();
        List<StreamRecord> records = t.records(tenant, "s-tool");
        int half = records.size() / 2;
        assertEquals(List.of(), t.components.streamRecorder().record(records.subList(0, half)));
        assertTrue(t.api.get(tenant, "/v1/sessions").body().toString().contains("s-tool"), "listed before its DELETE");

        AtomicBoolean erased = new AtomicBoolean();
        List<String> failed = recorderRacedBy(key, erased).streamRecorder().record(records.subList(half, records.size()));

        assertTrue(erased.get(), "the DELETE ran inside the recorder's save");
        assertEquals(List.of(), failed, "the recorder drops the records of a session being erased");
        assertNotListed(key);
    }

    @Test
    void aDeleteDuringARebuildKeepsTheSessionOffTheLists() {
        StreamKey key = appendedToolLoop();
        String tenant = key.tenant();
        assertEquals(List.of(), t.components.streamRecorder().record(t.records(tenant, "s-tool")));

        AtomicBoolean erased = new AtomicBoolean();
        recorderRacedBy(key, erased).streamRecorder().rebuild(key);

        assertTrue(erased.get(), "the DELETE ran inside the rebuild's save");
        assertNotListed(key);
    }

    @Test
    void aDeleteBeforeTheFirstSaveOfASessionKeepsItOffTheLists() {
        StreamKey key = appendedToolLoop();
        String tenant = key.tenant();

        AtomicBoolean erased = new AtomicBoolean();
        List<String> failed = recorderRacedBy(key, erased).streamRecorder().record(t.records(tenant, "s-tool"));

        assertTrue(erased.get(), "the DELETE ran inside the recorder's first save");
        assertEquals(List.of(), failed);
        assertNotListed(key);
    }
}
