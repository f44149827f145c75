package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Typed reads of event fields. Each read of a known event type either returns a usable value or throws
 * {@link RejectedEvent} naming the field, so that a handler validates everything before it changes
 * the fold and a malformed event never leaves half its effect behind.
 */
final class EventFields {

    private EventFields() {
    }

    static String text(JsonNode ev, String field) {
        JsonNode n = ev.get(field);
        if (n == null || !n.isTextual()) {
            throw new RejectedEvent("missing string field '" + field + "'");
        }
        return n.textValue();
    }

    static String nonEmptyText(JsonNode ev, String field) {
        String s = text(ev, field);
        if (s.isEmpty()) {
            throw new RejectedEvent("field '" + field + "' is empty");
        }
        return s;
    }

    /** A string, or null when the field is absent or JSON null. */
    static String optText(JsonNode ev, String field) {
        JsonNode n = ev.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new RejectedEvent("field '" + field + "' must be a string or null");
        }
        return n.textValue();
    }

    static long index(JsonNode ev, String field) {
        JsonNode n = ev.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw new RejectedEvent("missing non-negative integer field '" + field + "'");
        }
        return n.longValue();
    }

    static JsonNode object(JsonNode ev, String field) {
        JsonNode n = ev.get(field);
        if (n == null || !n.isObject()) {
            throw new RejectedEvent("missing object field '" + field + "'");
        }
        return n;
    }

    /** An object, or null when the field is absent or JSON null. */
    static JsonNode optObject(JsonNode ev, String field) {
        JsonNode n = ev.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new RejectedEvent("field '" + field + "' must be an object or null");
        }
        return n;
    }

    /** An array, or null when the field is absent or JSON null. */
    static JsonNode optArray(JsonNode ev, String field) {
        JsonNode n = ev.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new RejectedEvent("field '" + field + "' must be an array or null");
        }
        return n;
    }

    /** An array whose elements are all objects (messages), or null when absent. */
    static JsonNode optObjectArray(JsonNode ev, String field) {
        JsonNode a = optArray(ev, field);
        if (a != null) {
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).isObject()) {
                    throw new RejectedEvent("field '" + field + "[" + i + "]' must be an object");
                }
            }
        }
        return a;
    }

    /**
     * The event's own {@code timestamp} when it has one, else the server's recordedAt. For a known
     * event type a timestamp that is there but unreadable makes the event malformed; for other
     * vocabularies it is simply not ours to read.
     */
    static Instant time(JsonNode ev, Instant recordedAt, boolean strict) {
        JsonNode n = ev.get("timestamp");
        if (n == null || n.isNull()) {
            return recordedAt;
        }
        if (n.isTextual()) {
            try {
                return Rfc3339.parse(n.textValue());
            } catch (DateTimeParseException e) {
                // handled below
            }
        }
        if (strict) {
            throw new RejectedEvent("field 'timestamp' must be an RFC 3339 date-time");
        }
        return recordedAt;
    }
}
