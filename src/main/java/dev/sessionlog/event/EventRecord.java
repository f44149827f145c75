package dev.sessionlog.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored event as every read path serves it: its position in the session, the client's ids,
 * the server's clock at append and the event JSON exactly as the agent sent it.
 */
public record EventRecord(long seq, String eventId, String parentEventId, Instant recordedAt, JsonNode event) {

    public EventRecord {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(recordedAt, "recordedAt");
        Objects.requireNonNull(event, "event");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, was " + seq);
        }
    }

    /** The event's {@code type} field. */
    public String type() {
        JsonNode type = event.get("type");
        return type == null ? "" : type.asText();
    }
}
