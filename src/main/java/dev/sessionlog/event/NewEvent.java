package dev.sessionlog.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event as an append request carries it, validated.
 *
 * @param eventId         the client's id, or null when the server is to make one
 * @param parentEventId   the event this one follows from, or null
 * @param parentSessionId the session of that parent when it is another session, else null
 * @param event           the event JSON
 * @param body            the event JSON as stored (compact UTF-8), computed once
 */
public record NewEvent(String eventId, String parentEventId, String parentSessionId, JsonNode event, byte[] body) {

    public NewEvent(String eventId, String parentEventId, JsonNode event, byte[] body) {
        this(eventId, parentEventId, null, event, body);
    }

    public boolean hasClientId() {
        return eventId != null;
    }

    /** The same event with the id it is stored under (the client's, or one the server made). */
    public NewEvent withId(String id) {
        return new NewEvent(id, parentEventId, parentSessionId, event, body);
    }
}
