package dev.sessionlog.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The local runner's settings, each from an environment variable (or a -D system property of the
 * same name). Every one is listed in the README.
 */
public record LocalConfig(int apiPort, int dynamoPort, int s3Port, Path dataDir, boolean inMemory,
                          URI dynamoEndpoint, URI s3Endpoint, String bucket, long streamPollMillis,
                          long scheduleSeconds, String idleTimeout, String archiveHotWindow, int archiveSegmentMaxEvents,
                          long archiveSegmentMaxBytes, long eraseSeconds, String sessionRetention, String archiveGrace,
                          int followPort) {

    public static LocalConfig fromEnvironment() {
        return from(System.getenv());
    }

    public static LocalConfig from(Map<String, String> env) {
        return new LocalConfig(
                Integer.parseInt(value(env, "SESSIONLOG_API_PORT", "8080")),
                Integer.parseInt(value(env, "SESSIONLOG_DYNAMODB_PORT", "8000")),
                Integer.parseInt(value(env, "SESSIONLOG_S3_PORT", "9000")),
                Path.of(value(env, "SESSIONLOG_DATA_DIR", ".sessionlog/data")),
                Boolean.parseBoolean(value(env, "SESSIONLOG_IN_MEMORY", "false")),
                uri(value(env, "SESSIONLOG_DYNAMODB_ENDPOINT", "")),
                uri(value(env, "SESSIONLOG_S3_ENDPOINT", "")),
                value(env, "SESSIONLOG_BUCKET", "sessionlog-local"),
                Long.parseLong(value(env, "SESSIONLOG_STREAM_POLL_MILLIS", "250")),
                Long.parseLong(value(env, "SESSIONLOG_SCHEDULE_SECONDS", "60")),
                value(env, "IDLE_TIMEOUT", "PT1H"),
                value(env, "ARCHIVE_HOT_WINDOW", "PT24H"),
                Integer.parseInt(value(env, "ARCHIVE_SEGMENT_MAX_EVENTS", "1000")),
                Long.parseLong(value(env, "ARCHIVE_SEGMENT_MAX_BYTES", "8388608")),
                Long.parseLong(value(env, "SESSIONLOG_ERASE_SECONDS", "30")),
                value(env, "SESSION_RETENTION", ""),
                value(env, "ARCHIVE_GRACE", "P7D"),
                followPort(env));
    }

    /** SESSIONLOG_FOLLOW_PORT, by default the API's port + 1 (0, any free port, when the API's is 0). */
    private static int followPort(Map<String, String> env) {
        int api = Integer.parseInt(value(env, "SESSIONLOG_API_PORT", "8080"));
        return Integer.parseInt(value(env, "SESSIONLOG_FOLLOW_PORT", api == 0 ? "0" : Integer.toString(api + 1)));
    }

    private static String value(Map<String, String> env, String name, String defaultValue) {
        String property = System.getProperty(name);
        if (property != null && !property.isBlank()) {
            return property;
        }
        String fromEnv = env.get(name);
        return fromEnv == null || fromEnv.isBlank() ? defaultValue : fromEnv;
    }

    private static URI uri(String text) {
        return text.isEmpty() ? null : URI.create(text);
    }

    /** How often the local DynamoDB deletes expired items, as DynamoDB's TTL does in the background. */
    static final String TTL_SWEEP_SECONDS = "60";

    EmbeddedAws.Options awsOptions() {
        return new EmbeddedAws.Options(dynamoPort, s3Port, inMemory ? null : dataDir, dynamoEndpoint, s3Endpoint,
                java.util.List.of("--ttl-sweep-seconds", TTL_SWEEP_SECONDS));
    }
}
