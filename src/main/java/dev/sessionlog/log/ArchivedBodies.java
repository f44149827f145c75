package dev.sessionlog.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the archive holds of an event whose item no longer has it: the body of a stub or a child's
 * link, the chain value of an event whose item TTL deleted.
 */
public interface ArchivedBodies {

    JsonNode body(StreamKey key, long seq);

    /** The chain value of an archived event; null when the archive holds no such seq. */
    default String chain(StreamKey key, long seq) {
        return null;
    }

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
