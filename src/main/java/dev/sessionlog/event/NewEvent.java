package dev.sessionlog.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event as an append request carries it, validated.
 *
 * @param eventId       the client's id, or null when the server is to make one
 * @param parentEventId the event this one follows from, or null
 * @param event         the event JSON
 * @param body          the event JSON as stored (compact UTF-8), computed once
 */
public record NewEvent(String eventId, String parentEventId, JsonNode event, byte[] body) {

    public boolean hasClientId() {
        return eventId != null;
    }
}
