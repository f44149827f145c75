package dev.sessionlog.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored event as every read path serves it: its position in the session, the client's ids,
 * the server's clock at append, the event JSON exactly as the agent sent it, and its chain value.
 *
 * @param parentSessionId the session of the parent event when it is another session; null when the
 *                        parent is in this session (or there is no parent)
 * @param chain           the chain value over this record and every one before it; null for records
 *                        written before the chain existed
 */
public record EventRecord(long seq, String eventId, String parentEventId, String parentSessionId, Instant recordedAt,
                          JsonNode event, String chain) {

    public EventRecord {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(recordedAt, "recordedAt");
        Objects.requireNonNull(event, "event");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, was " + seq);
        }
        if (parentSessionId != null && parentEventId == null) {
            throw new IllegalArgumentException("a parent session needs a parent event");
        }
    }

    /** A record whose parent, if any, is in its own session, without a chain value. */
    public EventRecord(long seq, String eventId, String parentEventId, Instant recordedAt, JsonNode event) {
        this(seq, eventId, parentEventId, null, recordedAt, event, null);
    }

    /** The event's {@code type} field. */
    public String type() {
        JsonNode type = event.get("type");
        return type == null ? "" : type.asText();
    }

    public EventRecord withChain(String chainValue) {
        return new EventRecord(seq, eventId, parentEventId, parentSessionId, recordedAt, event, chainValue);
    }
}
