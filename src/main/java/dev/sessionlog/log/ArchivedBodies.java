package dev.sessionlog.log;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of an event that archival moved to S3 and left only a stub of in DynamoDB (the stub
 * keeps its ids, so idempotency, children and lookups by id keep working after archival).
 */
public interface ArchivedBodies {

    JsonNode body(StreamKey key, long seq);

    /** For a log with no archive (tests of the hot log alone). */
    ArchivedBodies NONE = (key, seq) -> {
        throw new IllegalStateException("event " + key.sessionId() + "/" + seq + " is archived and no archive is configured");
    };
}
