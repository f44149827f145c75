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

/** The contract on moto (and S3Proxy for large bodies): the real store. */
class DynamoEventLogTest implements EventLogContract {

    private final EventLog log;
    private final TestAws aws = AwsTestResource.aws();

    DynamoEventLogTest() {
        log = new DynamoEventLog(aws.embedded().dynamo(), aws.table("EventsTable"),
                new S3PayloadStore(aws.embedded().s3(), AwsTestResource.BUCKET, ""), Clock.systemUTC(),
                AppendRetryPolicy.defaults(), ArchivedBodies.NONE);
    }

    @Override
    public EventLog log() {
        return log;
    }

    /** Events without parents share an item; a child has its own (the children index has one key per item). */
    @Test
    void aRequestIsOneItemBesideItsChildren() {
        StreamKey key = newSession();
        log.append(key, EventLogContract.request(null, EventLogContract.event("a", null, 1), EventLogContract.event("b", null, 2),
                EventLogContract.event("c", "a", 3), EventLogContract.event("d", null, 4), EventLogContract.event("e", null, 5)));
        List<Map<String, AttributeValue>> items = aws.embedded().dynamo().query(b -> b.tableName(aws.table("EventsTable"))
                .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk())))).items();
        assertEquals(List.of("1", "3", "4"), items.stream().map(i -> i.get("seq").n()).toList());
        assertEquals(List.of(2L, 3L, 5L), items.stream().map(EventItems::lastSeq).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), log.read(key, 0, 10).stream().map(r -> r.seq()).toList());
        assertEquals(3, log.children(key, "a", 10, null, 1 << 20).children().get(0).record().seq());
        assertEquals(4, log.eventSeq(key, "d").orElseThrow());
    }
}
