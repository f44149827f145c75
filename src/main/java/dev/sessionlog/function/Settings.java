package dev.sessionlog.function;

import dev.sessionlog.follow.FollowSettings;
import dev.sessionlog.api.RouteScopes;
import dev.sessionlog.api.TenantLimits;
import dev.sessionlog.archive.ArchiveSettings;
import java.time.Duration;

/**
 * Every setting the functions read, with the environment variable that sets it on Lambda.
 *
 * @param eventsTable          EVENTS_TABLE: the events table
 * @param sessionsTable        SESSIONS_TABLE: the materialized sessions table
 * @param bucket               ARCHIVE_BUCKET: the bucket for large event bodies, large session states and the archive
 * @param archivePrefix        key prefix inside the bucket ("" or ending in "/"): "" on AWS, whose IAM policies name the keys unprefixed; no setting
 * @param tenantClaim          TENANT_CLAIM: the JWT claim that names the tenant (default tenant_id)
 * @param idleTimeout          IDLE_TIMEOUT: how long a session's open loops may be idle before the
 *                             scheduled function aborts them (ISO-8601 duration, default PT1H)
 * @param keepStreamingUpdates KEEP_STREAMING_UPDATES: fold MessageUpdate events into sessions (default false)
 * @param archive              ARCHIVE_HOT_WINDOW, ARCHIVE_SEGMENT_MAX_EVENTS, ARCHIVE_SEGMENT_MAX_BYTES: see {@link ArchiveSettings}
 * @param functionTimeout      FUNCTION_TIMEOUT: the running function's own timeout (template.yaml sets it
 *                             to each function's Timeout); requests and runs are budgeted within it
 * @param checkpointBucket     CHECKPOINT_BUCKET: where sealed checkpoints go (on AWS an S3 Object Lock bucket)
 * @param checkpointKey        CHECKPOINT_KEY: the stack's secret that names sessions in the checkpoint bucket (HMAC-SHA256;
 *                             template.yaml generates it in Secrets Manager; see {@link dev.sessionlog.chain.SessionNames})
 * @param failureBucket        RECORDER_FAILURE_BUCKET: the recorder's failed batches, which an erasure scrubs ("" for none)
 * @param sessionRetention     SESSION_RETENTION: sessions whose last event is older are erased; null: never
 * @param scopes               READ_SCOPE, APPEND_SCOPE, ERASE_SCOPE: the OAuth scope a token needs to read, to append
 *                             or fork, to erase (empty: any token; see {@link RouteScopes})
 * @param tenantLimits         MAX_WAITS_PER_TENANT, MAX_VERIFIES_PER_TENANT, TENANT_REQUESTS_PER_SECOND: see {@link TenantLimits}
 * @param layout               APPEND_PACKS, RECORDER_FROZEN_LOOPS: the storage layouts this version writes (default
 *                             both); see {@link StorageLayout}
 * @param follow               FOLLOW_TABLE, FOLLOW_URL, FOLLOW_ENDPOINT: following over WebSocket; see {@link FollowSettings}
 */
public record Settings(String eventsTable, String sessionsTable, String bucket, String archivePrefix, String tenantClaim,
                       Duration idleTimeout, boolean keepStreamingUpdates,
                       ArchiveSettings archive, Duration functionTimeout, String checkpointBucket,
                       String checkpointKey, String failureBucket, Duration sessionRetention, RouteScopes scopes, TenantLimits tenantLimits,
                       StorageLayout layout, FollowSettings follow) {

    /** API Gateway's own limit on an integration: no answer can take longer than this. */
    static final Duration API_GATEWAY_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The settings of the local runner and tests: the given tables and bucket,
     * and the tail function's timeout (25 s), which holds a wait=20 read; one process serves every route.
     */
    public static Settings local(String eventsTable, String sessionsTable, String bucket) {
        return new Settings(eventsTable, sessionsTable, bucket, "", "tenant_id", Duration.ofHours(1), false,
                ArchiveSettings.defaults(), Duration.ofSeconds(25), bucket + "-checkpoints", LOCAL_CHECKPOINT_KEY, bucket + "-failures", null, RouteScopes.ANY_TOKEN, TenantLimits.LOCAL, StorageLayout.CURRENT, FollowSettings.OFF);
    }

    /** The tests' checkpoint key; the local runner keeps one of its own in its data directory. */
    static final String LOCAL_CHECKPOINT_KEY = "local-checkpoint-key-not-a-secret";

    public Settings withCheckpointKey(String key) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, key, failureBucket, sessionRetention, scopes, tenantLimits, layout, follow);
    }

    public Settings withArchive(ArchiveSettings archive) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, sessionRetention, scopes, tenantLimits, layout, follow);
    }

    public Settings withIdleTimeout(Duration idleTimeout) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, sessionRetention, scopes, tenantLimits, layout, follow);
    }

    public Settings withFunctionTimeout(Duration functionTimeout) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, sessionRetention, scopes, tenantLimits, layout, follow);
    }

    public Settings withSessionRetention(Duration retention) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, retention, scopes, tenantLimits, layout, follow);
    }

    public Settings withScopes(RouteScopes scopes) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, sessionRetention, scopes, tenantLimits, layout, follow);
    }

    public Settings withLayout(StorageLayout layout) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, sessionRetention, scopes,
                tenantLimits, layout, follow);
    }

    public Settings withAppendPacks(boolean packs) {
        return withLayout(layout.withAppendPacks(packs));
    }

    /** APPEND_PACKS: write a request's events as one item. */
    public boolean appendPacks() {
        return layout.appendPacks();
    }

    public int maxWaitsPerTenant() {
        return tenantLimits.maxWaits();
    }

    public Settings withTenantLimits(TenantLimits limits) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, sessionRetention, scopes,
                limits, layout, follow);
    }

    public Settings withMaxWaitsPerTenant(int max) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, sessionRetention, scopes, tenantLimits.withMaxWaits(max), layout, follow);
    }

    /**
     * How long an API request may work before it answers 503: within the function's timeout and
     * API Gateway's 30 s, with two seconds to spare for the answer itself.
     */
    public Duration requestTimeBudget() {
        Duration limit = functionTimeout.compareTo(API_GATEWAY_TIMEOUT) < 0 ? functionTimeout : API_GATEWAY_TIMEOUT;
        return limit.minusSeconds(2).isNegative() ? Duration.ofSeconds(1) : limit.minusSeconds(2);
    }

    public Settings withFollow(FollowSettings follow) {
        return new Settings(eventsTable, sessionsTable, bucket, archivePrefix, tenantClaim, idleTimeout,
                keepStreamingUpdates, archive, functionTimeout, checkpointBucket, checkpointKey, failureBucket, sessionRetention, scopes, tenantLimits, layout, follow);
    }
}
