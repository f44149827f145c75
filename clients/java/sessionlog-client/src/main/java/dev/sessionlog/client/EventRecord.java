package dev.sessionlog.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.client.internal.Json;
import java.time.Instant;

/** A stored event, as the read routes serve it. {@code parentSessionId} is null when the parent is in this session. */
public record EventRecord(
    long seq,
    String eventId,
    String parentEventId,
    String parentSessionId,
    Instant recordedAt,
    String chain,
    ObjectNode event) {

  public String type() {
    return event.path("type").asText();
  }

  /** The event converted to one of the caller's types (field names as stored). */
  public <T> T eventAs(Class<T> type) {
    try {
      return Json.EVENTS.treeToValue(event, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event " + seq + " is not a " + type.getName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
