package dev.sessionlog.local;

import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.follow.FollowSettings;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.function.StreamEventHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole system on one machine with no Docker and no AWS account: moto (DynamoDB and its
 * Streams, in a child process) and S3Proxy (in this JVM), or the endpoints you name; the tables made
 * from template.yaml; the API on localhost calling the same handlers as the Lambdas; the recorder
 * fed from the stream and the scheduled function on a timer. Run with {@code ./mvnw -Plocal}.
 */
public final class LocalRunner implements AutoCloseable {

    private final LocalConfig config;
    private final EmbeddedAws aws;
    private final Map<String, String> tables;
    private final LocalGateway gateway;
    private final LocalSchedules schedules;
    private final LocalFollowServer follow;

    private LocalRunner(LocalConfig config, EmbeddedAws aws, Map<String, String> tables, LocalGateway gateway,
                        LocalSchedules schedules, LocalFollowServer follow) {
        this.follow = follow;
        this.config = config;
        this.aws = aws;
        this.tables = tables;
        this.gateway = gateway;
        this.schedules = schedules;
    }

    public static LocalRunner start(LocalConfig config) throws Exception {
        EmbeddedAws aws = EmbeddedAws.start(config.awsOptions());
        LocalFollowServer follow = null;
        try {
            DynamoDbClient dynamo = aws.dynamo();
            S3Client s3 = aws.s3();
            Map<String, String> tables = new TemplateTables(CloudFormationTemplate.load()).createAll(dynamo);
            EmbeddedAws.createBucket(s3, config.bucket());
            EmbeddedAws.createBucket(s3, config.bucket() + "-failures"); // what Settings.local names; the local poller writes none
            S3Client checkpointS3 = aws.checkpointS3();
            EmbeddedAws.createCheckpointBucket(checkpointS3, config.bucket() + "-checkpoints");
            ArchiveSettings defaults = ArchiveSettings.defaults();
            Settings settings = Settings.local(tables.get("EventsTable"), tables.get("SessionsTable"), config.bucket())
                    .withIdleTimeout(Duration.parse(config.idleTimeout()))
                    .withArchive(new ArchiveSettings(Duration.parse(config.archiveHotWindow()), config.archiveSegmentMaxEvents(),
                            config.archiveSegmentMaxBytes(), defaults.maxEventsPerRun(), defaults.lease(),
                            Duration.parse(config.archiveGrace())))
                    .withSessionRetention(config.sessionRetention().isEmpty() ? null : Duration.parse(config.sessionRetention()))
                    .withCheckpointKey(LocalCheckpointKey.of(config.inMemory() ? null : config.dataDir()));
            follow = LocalFollowServer.start(config.followPort());
            settings = settings.withFollow(new FollowSettings(tables.get("FollowTable"), follow.url(), ""));
            Components components = new Components(settings, dynamo, s3, checkpointS3, java.time.Clock.systemUTC(),
                    dev.sessionlog.observe.Metrics.NONE);
            LocalGateway gateway = new LocalGateway(config.apiPort(), components.appendHandler(), components.queryHandler(),
                    components.streamEventHandler(), settings.tenantClaim());
            follow.serve(components.followSocketHandler());
            LocalSchedules schedules = LocalSchedules.start(components, dynamo, aws.streams(), config, follow);
            return new LocalRunner(config, aws, tables, gateway, schedules, follow);
        } catch (Exception | Error e) {
            if (follow != null) {
                follow.shutdown();
            }
            aws.close();
            throw e;
        }
    }

    /** The port of the follow protocol (WebSocket). */
    public int followPort() {
        return follow.getPort();
    }

    /** The port of the API and the timeline page. */
    public int apiPort() {
        return gateway.port();
    }

    public EmbeddedAws aws() {
        return aws;
    }

    /** Stops the schedules first (nothing is half-handed to the recorder), then the API, then the stores. */
    @Override
    public void close() throws Exception {
        schedules.close();
        follow.shutdown();
        gateway.close();
        aws.close();
    }

    public static void main(String[] args) throws Exception {
        LocalRunner runner;
        try {
            runner = start(LocalConfig.fromEnvironment());
        } catch (IllegalStateException e) {
            System.err.println("sessionlog: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("sessionlog: stopping");
            try {
                runner.close();
            } catch (Exception e) {
                System.err.println("sessionlog: error while stopping: " + e);
            }
            stopped.countDown();
        }, "sessionlog-shutdown"));
        System.out.println(runner.banner());
        stopped.await();
    }

    private String banner() {
        LocalConfig c = config;
        MotoServer moto = aws.moto();
        return String.format("""

                sessionlog is running
                  API        http://localhost:%d/v1/sessions   (tenant: X-Tenant-Id header, default "local")
                  timeline   http://localhost:%d/ui/   (type the tenant into the page)
                  follow     %s   (WebSocket; POST /v1/sessions/ID/follow gives a ticket)
                  DynamoDB   %s   tables: %s%s
                  S3         %s   bucket: %s
                  data       %s
                AWS CLI:  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s
                          aws dynamodb scan --table-name %s --endpoint-url %s
                          aws s3 ls s3://%s --recursive --endpoint-url %s
                  recorder   polls the events stream every %d ms; scheduled function (idle sessions, archival
                             of events older than %s) every %d s; erasure every %d s
                  rebuild    curl -X POST localhost:%d/_local/rebuild/SESSION_ID -H 'X-Tenant-Id: TENANT'
                Ctrl-C stops it.
                """, apiPort(), apiPort(), follow.url(), aws.dynamoEndpoint(), String.join(", ", tables.values()),
                moto == null ? "" : "\n             (" + moto.banner() + ")", aws.s3Endpoint(), c.bucket(),
                c.inMemory() ? "in memory" : c.dataDir().toAbsolutePath() + " (kept between runs; SESSIONLOG_IN_MEMORY=true keeps nothing)",
                EmbeddedAws.ACCESS_KEY, EmbeddedAws.SECRET_KEY, EmbeddedAws.REGION.id(),
                tables.get("EventsTable"), aws.dynamoEndpoint(), c.bucket(), aws.s3Endpoint(),
                c.streamPollMillis(), c.archiveHotWindow(), c.scheduleSeconds(), c.eraseSeconds(), apiPort());
    }
}
