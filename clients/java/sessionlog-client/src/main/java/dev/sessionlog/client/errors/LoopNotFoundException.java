package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 404 {@code loop_not_found}: no such loop in the session. */
public class LoopNotFoundException extends SessionlogException {
  public LoopNotFoundException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
