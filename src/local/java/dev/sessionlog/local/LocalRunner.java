package dev.sessionlog.local;

import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.function.Components;
import java.time.Duration;
import dev.sessionlog.function.Settings;
import dev.sessionlog.function.StreamEventHandler;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole system on one machine with no Docker and no AWS account: DynamoDB Local and S3Proxy
 * in this JVM (or the endpoints you name), the tables made from template.yaml, and the API on
 * localhost calling the same handlers as the Lambdas. Run with {@code ./mvnw -Plocal}.
 */
public final class LocalRunner {

    private LocalRunner() {
    }

    public static void main(String[] args) throws Exception {
        LocalConfig config = LocalConfig.fromEnvironment();
        EmbeddedAws aws = EmbeddedAws.start(config.awsOptions());
        DynamoDbClient dynamo = aws.dynamo();
        S3Client s3 = aws.s3();
        Map<String, String> tables = new TemplateTables(CloudFormationTemplate.load()).createAll(dynamo);
        EmbeddedAws.createBucket(s3, config.bucket());
        ArchiveSettings defaults = ArchiveSettings.defaults();
        Settings settings = Settings.local(tables.get("EventsTable"), tables.get("SessionsTable"), config.bucket())
                .withIdleTimeout(Duration.parse(config.idleTimeout()))
                .withArchive(new ArchiveSettings(Duration.parse(config.archiveHotWindow()), config.archiveSegmentMaxEvents(),
                        config.archiveSegmentMaxBytes(), defaults.maxEventsPerRun(), defaults.lease()));
        Components components = new Components(settings, dynamo, s3);
        LocalGateway gateway = new LocalGateway(config.apiPort(), components.appendHandler(), components.queryHandler(),
                new StreamEventHandler(components.streamRecorder()), settings.tenantClaim());

        LocalSchedules schedules = LocalSchedules.start(components, dynamo, aws.streams(), config);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("sessionlog: stopping");
            schedules.close();
            gateway.close();
            try {
                aws.close();
            } catch (Exception e) {
                System.err.println("sessionlog: error while stopping the stores: " + e);
            }
            stopped.countDown();
        }, "sessionlog-shutdown"));

        System.out.printf("""

                sessionlog is running
                  API        http://localhost:%d/v1/sessions   (tenant: X-Tenant-Id header, default "local")
                  DynamoDB   %s   tables: %s
                  S3         %s   bucket: %s
                  data       %s
                AWS CLI:  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s
                          aws dynamodb scan --table-name %s --endpoint-url %s
                          aws s3 ls s3://%s --recursive --endpoint-url %s
                  recorder   polls the events stream every %d ms; scheduled function (idle sessions, archival
                             of events older than %s) every %d s
                  rebuild    curl -X POST localhost:%d/_local/rebuild/SESSION_ID -H 'X-Tenant-Id: TENANT'
                Ctrl-C stops it.
                %n""", gateway.port(), aws.dynamoEndpoint(), String.join(", ", tables.values()), aws.s3Endpoint(),
                config.bucket(), config.inMemory() ? "in memory" : config.dataDir().toAbsolutePath(),
                EmbeddedAws.ACCESS_KEY, EmbeddedAws.SECRET_KEY, EmbeddedAws.REGION.id(),
                tables.get("EventsTable"), aws.dynamoEndpoint(), config.bucket(), aws.s3Endpoint(),
                config.streamPollMillis(), config.archiveHotWindow(), config.scheduleSeconds(), gateway.port());
        stopped.await();
    }
}
