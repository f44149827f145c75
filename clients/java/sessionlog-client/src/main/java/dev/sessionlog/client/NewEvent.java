package dev.sessionlog.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.client.internal.Json;

/**
 * An event to append: the event object (any JSON object with a string {@code type}) and its
 * envelope. Without an {@code eventId} the client makes one (a UUIDv7) before the first attempt, so
 * that a retry is recognised as a duplicate.
 */
public record NewEvent(String eventId, String parentEventId, String parentSessionId, ObjectNode event) {
  public NewEvent {
    if (eventId != null) {
      Ids.require(eventId, "eventId");
    }
    if (parentEventId != null) {
      Ids.require(parentEventId, "parentEventId");
    }
    if (parentSessionId != null) {
      Ids.require(parentSessionId, "parentSessionId");
      if (parentEventId == null) {
        throw new IllegalArgumentException("parentSessionId is only meaningful with parentEventId");
      }
    }
    event = Json.eventObject(event, "event");
  }

  /** An event from a Map, a Jackson tree or any object Jackson can write as a JSON object with a {@code type}. */
  public static NewEvent of(Object event) {
    return new NewEvent(null, null, null, Json.eventObject(event, "event"));
  }

  public static NewEvent of(String eventId, Object event) {
    return new NewEvent(eventId, null, null, Json.eventObject(event, "event"));
  }

  public NewEvent withEventId(String id) {
    return new NewEvent(id, parentEventId, parentSessionId, event);
  }

  /** This event follows from {@code parentEventId} in the same session. */
  public NewEvent withParent(String parentEventId) {
    return new NewEvent(eventId, parentEventId, null, event);
  }

  /** This event follows from {@code parentEventId} of another session. */
  public NewEvent withParent(String parentSessionId, String parentEventId) {
    return new NewEvent(eventId, parentEventId, parentSessionId, event);
  }

  public String type() {
    return event.get("type").asText();
  }
}
