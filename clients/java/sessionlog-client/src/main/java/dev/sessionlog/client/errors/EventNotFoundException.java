package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 404 {@code event_not_found}: no such event in the session. */
public class EventNotFoundException extends SessionlogException {
  public EventNotFoundException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
