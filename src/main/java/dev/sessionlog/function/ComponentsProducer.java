package dev.sessionlog.function;

import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.archive.ArchiveSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import dev.sessionlog.observe.EmfMetrics;
import dev.sessionlog.observe.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Hands the Quarkus-managed AWS clients and the configuration to {@link Components}. */
@ApplicationScoped
public class ComponentsProducer {

    @Produces
    @Singleton
    Components components(DynamoDbClient dynamo, S3Client s3,
                          @ConfigProperty(name = "sessionlog.events-table") String eventsTable,
                          @ConfigProperty(name = "sessionlog.sessions-table") String sessionsTable,
                          @ConfigProperty(name = "sessionlog.bucket") String bucket,
                          @ConfigProperty(name = "sessionlog.archive-prefix") Optional<String> archivePrefix,
                          @ConfigProperty(name = "sessionlog.tenant-claim") String tenantClaim,
                          @ConfigProperty(name = "sessionlog.tenant-header-fallback") boolean tenantHeaderFallback,
                          @ConfigProperty(name = "sessionlog.idle-timeout") Duration idleTimeout,
                          @ConfigProperty(name = "sessionlog.keep-streaming-updates") boolean keepStreamingUpdates,
                          @ConfigProperty(name = "sessionlog.archive.hot-window") Duration hotWindow,
                          @ConfigProperty(name = "sessionlog.archive.segment-max-events") int segmentMaxEvents,
                          @ConfigProperty(name = "sessionlog.archive.segment-max-bytes") long segmentMaxBytes,
                          @ConfigProperty(name = "sessionlog.function-timeout") Duration functionTimeout,
                          @ConfigProperty(name = "sessionlog.checkpoint-bucket") String checkpointBucket,
                          @ConfigProperty(name = "sessionlog.session-retention") Optional<Duration> sessionRetention,
                          @ConfigProperty(name = "sessionlog.max-waits-per-tenant") int maxWaitsPerTenant,
                          @ConfigProperty(name = "sessionlog.metrics.enabled", defaultValue = "true") boolean metricsEnabled) {
        ArchiveSettings archive = ArchiveSettings.forFunctionTimeout(hotWindow, segmentMaxEvents, segmentMaxBytes, functionTimeout);
        return new Components(new Settings(eventsTable, sessionsTable, bucket, archivePrefix.orElse(""), tenantClaim,
                tenantHeaderFallback, idleTimeout, keepStreamingUpdates, archive, functionTimeout, checkpointBucket,
                sessionRetention.orElse(null), maxWaitsPerTenant), dynamo, s3, Clock.systemUTC(),
                metricsEnabled ? new EmfMetrics(System.out, Clock.systemUTC()) : Metrics.NONE);
    }

    @Produces
    @Singleton
    AppendHandler appendHandler(Components components) {
        return components.appendHandler();
    }

    @Produces
    @Singleton
    QueryHandler queryHandler(Components components) {
        return components.queryHandler();
    }

    @Produces
    @Singleton
    StreamEventHandler streamEventHandler(Components components) {
        return new StreamEventHandler(components.streamRecorder());
    }

    @Produces
    @Singleton
    ScheduledWork scheduledWork(Components components) {
        return components.scheduledWork();
    }

    @Produces
    @Singleton
    EraseWork eraseWork(Components components) {
        return components.eraseWork();
    }
}
