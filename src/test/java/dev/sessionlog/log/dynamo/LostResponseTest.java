package dev.sessionlog.log.dynamo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.archive.ArchiveMeta;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.AppendRetryPolicy;
import dev.sessionlog.log.AppendedEvent;
import dev.sessionlog.log.ArchivedBodies;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventLogContract;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.s3.S3PayloadStore;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.sessions.SessionStore;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.TestAws;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A write that succeeded but whose answer was lost: the SDK retries it, and the retry fails its
 * condition on what the first try wrote. Every conditional write the product makes must take that
 * as its own success, never as a lost race (which would delete, duplicate or give up what is there).
 */
class LostResponseTest {

    /** Turns the first successful answer of an operation (matching the request) into a 500, after the store acted. */
    static final class LoseFirstAnswer implements ExecutionInterceptor {
        final String operation;
        final Predicate<SdkRequest> which;
        final AtomicBoolean lost = new AtomicBoolean();

        LoseFirstAnswer(String operation, Predicate<SdkRequest> which) {
            this.operation = operation;
            this.which = which;
        }

        @Override
        public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (operation.equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)) && which.test(context.request())
                    && context.httpResponse().isSuccessful() && lost.compareAndSet(false, true)) {
                return context.httpResponse().toBuilder().statusCode(500).build();
            }
            return context.httpResponse();
        }
    }

    private static EventLog log(ExecutionInterceptor lose) {
        TestAws aws = AwsTestResource.aws();
        return new DynamoEventLog(aws.embedded().dynamo(lose), aws.table("EventsTable"),
                new S3PayloadStore(aws.embedded().s3(), AwsTestResource.BUCKET, ""), Clock.systemUTC(),
                AppendRetryPolicy.defaults(), ArchivedBodies.NONE);
    }

    private static Components components(ExecutionInterceptor lose) {
        TestAws aws = AwsTestResource.aws();
        return new Components(AwsTestResource.settings(),
                aws.embedded().dynamo(lose), aws.embedded().s3(), Clock.systemUTC());
    }

    @Test
    void aRetriedSinglePutThatHadSucceededWritesOneEventAndAnswersItsSeq() {
        LoseFirstAnswer lose = new LoseFirstAnswer("PutItem", r -> true);
        StreamKey key = new StreamKey("lost-" + UUID.randomUUID(), "s1");
        AppendResult result = log(lose).append(key, EventLogContract.request(null, EventLogContract.event(null, null, 1)));
        assertTrue(lose.lost.get());
        assertEquals(1, result.headSeq());
        assertEquals(1, result.events().get(0).seq());
        assertEquals(1, log(lose).read(key, 0, 10).size());

        // The same with expected_seq 0 on a new session: written once, answered 1, not a conflict.
        LoseFirstAnswer again = new LoseFirstAnswer("PutItem", r -> true);
        StreamKey key2 = new StreamKey(key.tenant(), "s2");
        assertEquals(1, log(again).append(key2, EventLogContract.request(0L, EventLogContract.event("only", null, 1))).headSeq());
        assertTrue(again.lost.get());
        assertEquals(1, log(again).read(key2, 0, 10).size());
    }

    /** Without client ids, a retry that is not recognised as ours would append the batch a second time. */
    @Test
    void aRetriedPackThatHadSucceededWritesTheBatchOnce() {
        LoseFirstAnswer lose = new LoseFirstAnswer("PutItem", r -> true);
        StreamKey key = new StreamKey("lost-" + UUID.randomUUID(), "s-pack");
        EventLog log = log(lose);
        AppendResult result = log.append(key, EventLogContract.request(null, EventLogContract.event(null, null, 1),
                EventLogContract.event(null, null, 2), EventLogContract.event(null, null, 3)));
        assertTrue(lose.lost.get());
        assertEquals(List.of(1L, 2L, 3L), result.events().stream().map(AppendedEvent::seq).toList());
        assertEquals(3, log.read(key, 0, 10).size(), "each event once");
    }

    /** Events with parents keep items of their own: a request of several is one transaction. */
    @Test
    void aRetriedTransactionThatHadSucceededWritesTheBatchOnce() {
        LoseFirstAnswer lose = new LoseFirstAnswer("TransactWriteItems", r -> true);
        StreamKey key = new StreamKey("lost-" + UUID.randomUUID(), "s-batch");
        EventLog log = log(lose);
        AppendResult result = log.append(key, EventLogContract.request(null, EventLogContract.event(null, null, 1),
                EventLogContract.event(null, "elsewhere", 2), EventLogContract.event(null, "elsewhere", 3)));
        assertTrue(lose.lost.get());
        assertEquals(List.of(1L, 2L, 3L), result.events().stream().map(AppendedEvent::seq).toList());
        assertEquals(3, log.read(key, 0, 10).size(), "each event once");
    }

    /** The save's condition (the version read) fails on the retry; deleting "our orphan" would delete the live state. */
    @Test
    void aRetriedSessionSaveThatHadSucceededKeepsItsState() {
        RecorderTestSupport setup = new RecorderTestSupport();
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-save");
        ObjectNode body = Json.MAPPER.createObjectNode();
        String loop = "s-save.m.0";
        body.withArray("events").addObject().set("event", Json.MAPPER.createObjectNode().put("type", "AgentStart")
                .put("agent_id", "a").put("session_id", "s-save").put("loop_id", loop).put("timestamp", "2026-11-21T10:00:00Z"));
        body.withArray("events").addObject().set("event", Json.MAPPER.createObjectNode().put("type", "TurnStart")
                .put("loop_id", loop).put("turn_index", 0).put("timestamp", "2026-11-21T10:00:01Z").put("triggered_by", "User"));
        for (int i = 0; i < 11; i++) { // the turn's messages: big enough that the state is kept in S3
            ObjectNode e = Json.MAPPER.createObjectNode().put("type", "MessageEnd").put("loop_id", loop);
            e.putObject("message").put("role", "user").putArray("content").addObject().put("type", "text")
                    .put("text", dev.sessionlog.testing.Events.randomText(i, 20_000));
            body.withArray("events").addObject().set("event", e);
        }
        assertEquals(201, setup.api.post(tenant, "/v1/sessions/s-save/events", body).status());
        setup.record(tenant, "s-save");
        assertTrue(setup.components.sessionStore().load(key).orElseThrow().stateRef() != null, "the state is in S3");

        ObjectNode more = Json.MAPPER.createObjectNode();
        more.withArray("events").addObject().set("event", Json.MAPPER.createObjectNode().put("type", "custom.note"));
        assertEquals(201, setup.api.post(tenant, "/v1/sessions/s-save/events", more).status());
        LoseFirstAnswer lose = new LoseFirstAnswer("PutItem", r -> r.toString().contains("write_id"));
        Components subject = components(lose);
        assertEquals(List.of(), subject.streamRecorder().record(setup.records(tenant, "s-save")));
        assertTrue(lose.lost.get());
        SessionStore.Stored stored = subject.sessionStore().load(key).orElseThrow(); // throws if its object was deleted
        assertEquals(14, stored.fold().recordedThroughSeq());
        assertEquals(200, setup.api.get(tenant, "/v1/sessions/s-save").status());
    }

    @Test
    void aRetriedWatermarkMoveAndLeaseThatHadSucceededAreTheRunsOwn() {
        LoseFirstAnswer loseLease = new LoseFirstAnswer("UpdateItem", r -> r.toString().contains("lease_owner = :o)"));
        StreamKey key = new StreamKey("lost-" + UUID.randomUUID(), "s-mark");
        TestAws aws = AwsTestResource.aws();
        aws.embedded().dynamo().putItem(b -> b.tableName(aws.table("EventsTable"))
                .item(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN("0"))));
        ArchiveMeta leaseMeta = new ArchiveMeta(aws.embedded().dynamo(loseLease), aws.table("EventsTable"));
        Instant now = Instant.now();
        assertTrue(leaseMeta.acquireLease(key, now, now.plus(Duration.ofMinutes(6)), "run-1"), "the retry finds the lease its own");
        assertTrue(loseLease.lost.get());

        LoseFirstAnswer loseMark = new LoseFirstAnswer("UpdateItem", r -> r.toString().contains("archived_through = :to"));
        ArchiveMeta markMeta = new ArchiveMeta(aws.embedded().dynamo(loseMark), aws.table("EventsTable"));
        markMeta.moveWatermark(key, 0, 10, "chain-10", 10, "run-1"); // throws if the retry is taken as another run's move
        assertTrue(loseMark.lost.get());
        assertEquals(10, markMeta.load(key).archivedThrough());
    }

    /**
     * The archive state's other conditional writes, each with its first answer lost: the recorder's
     * due mark, the erasure's lease, the end of a run (both ways) and a release. Each
     * retry either passes its condition again or fails on what the first try wrote, and is taken as done.
     */
    @Test
    void theArchiveStatesOtherConditionalWritesTakeTheirOwnRetryAsDone() {
        TestAws aws = AwsTestResource.aws();
        String table = aws.table("EventsTable");
        StreamKey key = new StreamKey("lost-" + UUID.randomUUID(), "s-meta");
        aws.embedded().dynamo().putItem(b -> b.tableName(table)
                .item(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN("0"))));
        Instant now = Instant.now();

        LoseFirstAnswer loseIndexed = new LoseFirstAnswer("UpdateItem", r -> r.toString().contains("indexed_through = :n"));
        new ArchiveMeta(aws.embedded().dynamo(loseIndexed), table).markIndexed(key, 12, now);
        assertTrue(loseIndexed.lost.get());
        assertEquals(12, new ArchiveMeta(aws.embedded().dynamo(), table).load(key).indexedThrough());
        assertEquals(List.of(key), dueOf(aws, key, now.plusSeconds(1)), "on the due index");

        assertTrue(new ArchiveMeta(aws.embedded().dynamo(), table).acquireLease(key, now, now.plus(Duration.ofMinutes(6)), "run-2"));

        // the end of a run that leaves the session due again later
        LoseFirstAnswer loseFinishDue = new LoseFirstAnswer("UpdateItem", r -> r.toString().contains("SET archive_after = :at"));
        new ArchiveMeta(aws.embedded().dynamo(loseFinishDue), table).finish(key, 10, now.plusSeconds(60), "run-2");
        assertTrue(loseFinishDue.lost.get());
        Map<String, AttributeValue> item = item(aws, key);
        assertFalse(item.containsKey("lease_owner"), "released: " + item);
        assertTrue(item.containsKey("archive_after"), "still due: " + item);

        // the end of a run that takes it off the due index (nothing folded above the watermark)
        ArchiveMeta meta = new ArchiveMeta(aws.embedded().dynamo(), table);
        assertTrue(meta.acquireLease(key, now, now.plus(Duration.ofMinutes(6)), "run-3"));
        LoseFirstAnswer loseFinish = new LoseFirstAnswer("UpdateItem", r -> r.toString().contains("REMOVE archive_after"));
        new ArchiveMeta(aws.embedded().dynamo(loseFinish), table).finish(key, 12, null, "run-3");
        assertTrue(loseFinish.lost.get());
        item = item(aws, key);
        assertFalse(item.containsKey("lease_owner") || item.containsKey("archive_after"), "released and off the index: " + item);

        // the erasure's lease, then its release
        LoseFirstAnswer loseErasure = new LoseFirstAnswer("UpdateItem", r -> r.toString().contains("SET lease_until = :until, lease_owner = :o"));
        assertTrue(new ArchiveMeta(aws.embedded().dynamo(loseErasure), table).acquireForErasure(key, now,
                now.plus(Duration.ofMinutes(6)), "erase-1"), "the retry finds the lease its own");
        assertTrue(loseErasure.lost.get());
        LoseFirstAnswer loseRelease = new LoseFirstAnswer("UpdateItem", r -> r.toString().contains("REMOVE lease_until, lease_owner"));
        new ArchiveMeta(aws.embedded().dynamo(loseRelease), table).release(key, "erase-1");
        assertTrue(loseRelease.lost.get());
        assertFalse(item(aws, key).containsKey("lease_owner"));
        assertEquals(12, meta.load(key).indexedThrough(), "nothing else changed");
    }

    private static Map<String, AttributeValue> item(TestAws aws, StreamKey key) {
        return aws.embedded().dynamo().getItem(b -> b.tableName(aws.table("EventsTable")).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN("0")))).item();
    }

    private static List<StreamKey> dueOf(TestAws aws, StreamKey key, Instant cutoff) {
        return new ArchiveMeta(aws.embedded().dynamo(), aws.table("EventsTable")).due(cutoff, 1000).stream()
                .filter(key::equals).toList();
    }
}
