package dev.sessionlog.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.TestAws;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * A write that succeeded but whose answer was lost: the SDK retries it, the retry finds the item
 * already there. That is our own write, not a race: one event, answered as written.
 */
class LostResponseTest {

    /** Turns the first PutItem's success into a 500, after DynamoDB has stored the item. */
    static final class LoseFirstPutAnswer implements ExecutionInterceptor {
        final AtomicBoolean lost = new AtomicBoolean();

        @Override
        public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if ("PutItem".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                    && context.httpResponse().isSuccessful() && lost.compareAndSet(false, true)) {
                return context.httpResponse().toBuilder().statusCode(500).build();
            }
            return context.httpResponse();
        }
    }

    @Test
    void aRetriedSinglePutThatHadSucceededWritesOneEventAndAnswersItsSeq() {
        TestAws aws = AwsTestResource.aws();
        LoseFirstPutAnswer lose = new LoseFirstPutAnswer();
        EventLog log = new DynamoEventLog(aws.embedded().dynamo(lose), aws.table("EventsTable"),
                new S3PayloadStore(aws.embedded().s3(), AwsTestResource.BUCKET, ""), Clock.systemUTC(),
                AppendRetryPolicy.defaults(), ArchivedBodies.NONE);
        StreamKey key = new StreamKey("lost-" + java.util.UUID.randomUUID(), "s1");
        AppendResult result = log.append(key, EventLogContract.request(null, EventLogContract.event(null, null, 1)));
        assertEquals(true, lose.lost.get());
        assertEquals(1, result.headSeq());
        assertEquals(1, result.events().get(0).seq());
        assertEquals(1, log.read(key, 0, 10).size());

        // The same with expected_seq 0 on a new session: written once, answered 1, not a conflict.
        LoseFirstPutAnswer again = new LoseFirstPutAnswer();
        EventLog log2 = new DynamoEventLog(aws.embedded().dynamo(again), aws.table("EventsTable"),
                new S3PayloadStore(aws.embedded().s3(), AwsTestResource.BUCKET, ""), Clock.systemUTC(),
                AppendRetryPolicy.defaults(), ArchivedBodies.NONE);
        StreamKey key2 = new StreamKey(key.tenant(), "s2");
        assertEquals(1, log2.append(key2, EventLogContract.request(0L, EventLogContract.event("only", null, 1))).headSeq());
        assertEquals(true, again.lost.get());
        assertEquals(1, log2.read(key2, 0, 10).size());
    }
}
