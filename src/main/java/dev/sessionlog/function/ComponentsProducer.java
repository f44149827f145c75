package dev.sessionlog.function;

import dev.sessionlog.follow.ApiGatewayConnections;
import dev.sessionlog.follow.FanOut;
import dev.sessionlog.follow.FollowSettings;
import dev.sessionlog.follow.FollowSocketHandler;
import java.net.URI;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.api.RouteScopes;
import dev.sessionlog.api.TenantLimits;
import dev.sessionlog.archive.ArchiveSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import dev.sessionlog.observe.EmfMetrics;
import dev.sessionlog.observe.Metrics;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Hands the Quarkus-managed AWS clients and the configuration ({@link SessionlogConfig}) to {@link Components}. */
@ApplicationScoped
public class ComponentsProducer {

    @Produces
    @Singleton
    Components components(DynamoDbClient dynamo, S3Client s3, SessionlogConfig config) {
        ArchiveSettings archive = ArchiveSettings.forFunctionTimeout(config.archive().hotWindow(), config.archive().segmentMaxEvents(),
                config.archive().segmentMaxBytes(), config.functionTimeout(), config.archive().grace());
        return new Components(new Settings(config.eventsTable(), config.sessionsTable(), config.bucket(),
                "", config.tenantClaim(), config.idleTimeout(),
                config.keepStreamingUpdates(), archive, config.functionTimeout(), config.checkpointBucket(), config.checkpointKey(), config.failureBucket().orElse(""),
                config.sessionRetention().orElse(null),
                new RouteScopes(config.scopes().read().orElse(""), config.scopes().append().orElse(""), config.scopes().erase().orElse("")),
                new TenantLimits(config.maxWaitsPerTenant(), config.maxVerifiesPerTenant(), config.tenantRequestsPerSecond()),
                new StorageLayout(config.appendPacks(), config.recorderFrozenLoops()),
                new FollowSettings(config.follow().table().orElse(""), config.follow().url().orElse(""),
                        config.follow().endpoint().orElse(""))), dynamo, s3, Clock.systemUTC(),
                config.metrics().enabled() ? new EmfMetrics(System.out, Clock.systemUTC()) : Metrics.NONE);
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
        return components.streamEventHandler();
    }

    @Produces
    @Singleton
    FollowSocketHandler followSocketHandler(Components components) {
        return components.followSocketHandler();
    }

    /** The fan-out posts to the WebSocket API's connections through its management endpoint (FOLLOW_ENDPOINT). */
    @Produces
    @Singleton
    FanOut fanOut(Components components) {
        String endpoint = components.settings().follow().endpoint();
        if (endpoint.isEmpty()) {
            throw new IllegalStateException("FOLLOW_ENDPOINT is not set: the fan-out has no connections to post to");
        }
        // the region and credentials (the function's role) of the DynamoDB client
        var dynamo = components.dynamo().serviceClientConfiguration();
        return components.fanOut(new ApiGatewayConnections(ApiGatewayManagementApiClient.builder()
                .endpointOverride(URI.create(endpoint)).region(dynamo.region()).credentialsProvider(dynamo.credentialsProvider())
                .httpClient(UrlConnectionHttpClient.create()).build()));
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
