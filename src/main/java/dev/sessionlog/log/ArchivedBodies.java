package dev.sessionlog.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of an event that archival moved to S3 and left only a stub of in DynamoDB (the stub
 * keeps its ids, so idempotency, children and lookups by id keep working after archival).
 */
public interface ArchivedBodies {

    JsonNode body(StreamKey key, long seq);

    /** The bodies of several archived events of one session, by seq. */
    default Map<Long, JsonNode> bodies(StreamKey key, List<Long> seqs) {
        Map<Long, JsonNode> bodies = new HashMap<>();
        seqs.forEach(seq -> bodies.put(seq, body(key, seq)));
        return bodies;
    }

    /** For a log with no archive (tests of the hot log alone). */
    ArchivedBodies NONE = (key, seq) -> {
        throw new IllegalStateException("event " + key.sessionId() + "/" + seq + " is archived and no archive is configured");
    };
}
