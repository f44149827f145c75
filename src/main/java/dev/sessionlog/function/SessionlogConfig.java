package dev.sessionlog.function;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of the functions in one place, read once by Quarkus (application.properties maps
 * each to its environment variable; {@link Settings} documents them). A missing or malformed value
 * fails the function's start, naming the property.
 */
@ConfigMapping(prefix = "sessionlog")
public interface SessionlogConfig {

    String eventsTable();

    String sessionsTable();

    String bucket();

    String tenantClaim();

    Duration idleTimeout();

    boolean keepStreamingUpdates();

    /** APPEND_PACKS: a request's events in one item (see {@link Settings#appendPacks()}). */
    boolean appendPacks();

    /** RECORDER_FROZEN_LOOPS: closed loops stored apart from a session's state (see {@link StorageLayout#frozenLoops()}). */
    boolean recorderFrozenLoops();

    Duration functionTimeout();

    String checkpointBucket();

    /** The secret that names sessions in the checkpoint bucket; no default: a function without it does not start. */
    String checkpointKey();

    /** The recorder's failure bucket, which an erasure scrubs; none: nothing to scrub. */
    Optional<String> failureBucket();

    Optional<Duration> sessionRetention();

    int maxWaitsPerTenant();

    int maxVerifiesPerTenant();

    int tenantRequestsPerSecond();

    Scopes scopes();

    /** Following over WebSocket: see {@link dev.sessionlog.follow.FollowSettings}. */
    Follow follow();

    interface Follow {
        /** FOLLOW_TABLE: tickets and subscriptions. */
        Optional<String> table();

        /** FOLLOW_URL: the wss:// URL followers connect to; none: the follow route answers 404 follow_unavailable. */
        Optional<String> url();

        /** FOLLOW_ENDPOINT: the WebSocket API's management endpoint, where the fan-out posts. */
        Optional<String> endpoint();
    }

    Archive archive();

    Metrics metrics();

    /** Archival: see {@link dev.sessionlog.archive.ArchiveSettings}. */
    interface Archive {
        Duration hotWindow();

        int segmentMaxEvents();

        long segmentMaxBytes();

        Duration grace();
    }

    /** The OAuth scope each kind of route needs; none: any token ({@link dev.sessionlog.api.RouteScopes}). */
    interface Scopes {
        Optional<String> read();

        Optional<String> append();

        Optional<String> erase();
    }

    interface Metrics {
        /** Embedded Metric Format lines on stdout (off in tests). */
        @WithDefault("true")
        boolean enabled();
    }
}
