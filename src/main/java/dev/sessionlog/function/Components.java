package dev.sessionlog.function;

import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.api.TenantResolver;
import dev.sessionlog.event.AppendRequestParser;
import dev.sessionlog.event.Limits;
import dev.sessionlog.log.AppendRetryPolicy;
import dev.sessionlog.log.DynamoEventLog;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.S3PayloadStore;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The object graph of the product, built from two AWS clients and the settings. Lambda gets it
 * through CDI ({@link ComponentsProducer}); the local runner and benchmarks build it directly, so
 * every entry point runs the same objects.
 */
public final class Components {

    private final Settings settings;
    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final EventLog eventLog;
    private final TenantResolver tenants;

    public Components(Settings settings, DynamoDbClient dynamo, S3Client s3) {
        this.settings = settings;
        this.dynamo = dynamo;
        this.s3 = s3;
        PayloadStore payloads = new S3PayloadStore(s3, settings.bucket(), settings.archivePrefix());
        this.eventLog = new DynamoEventLog(dynamo, settings.eventsTable(), payloads, Clock.systemUTC(),
                AppendRetryPolicy.defaults());
        this.tenants = new TenantResolver(settings.tenantClaim(), settings.tenantHeaderFallback());
    }

    public Settings settings() {
        return settings;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public S3Client s3() {
        return s3;
    }

    public EventLog eventLog() {
        return eventLog;
    }

    public AppendHandler appendHandler() {
        return new AppendHandler(eventLog, new AppendRequestParser(Limits.defaults()), tenants);
    }

    public QueryHandler queryHandler() {
        return new QueryHandler(eventLog, tenants);
    }
}
