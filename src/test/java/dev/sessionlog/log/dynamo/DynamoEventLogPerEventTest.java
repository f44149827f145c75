package dev.sessionlog.log.dynamo;

import dev.sessionlog.log.AppendRetryPolicy;
import dev.sessionlog.log.ArchivedBodies;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventLogContract;
import dev.sessionlog.log.s3.S3PayloadStore;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.TestAws;
import dev.sessionlog.log.StreamKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract on moto with APPEND_PACKS off: an item per event, as versions before packs wrote
 * them (the first deployment over such a stack), read by the same code that reads packs.
 */
class DynamoEventLogPerEventTest implements EventLogContract {

    private final EventLog log;
    private final TestAws aws = AwsTestResource.aws();

    DynamoEventLogPerEventTest() {
        log = new DynamoEventLog(aws.embedded().dynamo(), aws.table("EventsTable"),
                new S3PayloadStore(aws.embedded().s3(), AwsTestResource.BUCKET, ""), Clock.systemUTC(),
                AppendRetryPolicy.defaults(), ArchivedBodies.NONE, null, false);
    }

    @Override
    public EventLog log() {
        return log;
    }

    @Test
    void aRequestOfThreeEventsIsThreeItems() {
        StreamKey key = newSession();
        log.append(key, EventLogContract.request(null, EventLogContract.event("a", null, 1), EventLogContract.event("b", null, 2),
                EventLogContract.event("c", null, 3)));
        List<Map<String, AttributeValue>> items = aws.embedded().dynamo().query(b -> b.tableName(aws.table("EventsTable"))
                .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk())))).items();
        assertEquals(List.of("1", "2", "3"), items.stream().map(i -> i.get("seq").n()).toList());
        assertTrue(items.stream().noneMatch(i -> i.containsKey(EventItems.PACK)));
    }
}
