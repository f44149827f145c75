package dev.sessionlog.log.dynamo;

import dev.sessionlog.log.AppendRetryPolicy;
import dev.sessionlog.log.ArchivedBodies;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventLogContract;
import dev.sessionlog.log.s3.S3PayloadStore;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.TestAws;
import java.time.Clock;

/** The contract on moto (and S3Proxy for large bodies): the real store. */
class DynamoEventLogTest implements EventLogContract {

    private final EventLog log;

    DynamoEventLogTest() {
        TestAws aws = AwsTestResource.aws();
        log = new DynamoEventLog(aws.embedded().dynamo(), aws.table("EventsTable"),
                new S3PayloadStore(aws.embedded().s3(), AwsTestResource.BUCKET, ""), Clock.systemUTC(),
                AppendRetryPolicy.defaults(), ArchivedBodies.NONE);
    }

    @Override
    public EventLog log() {
        return log;
    }
}
