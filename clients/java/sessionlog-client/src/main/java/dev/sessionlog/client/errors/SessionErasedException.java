package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 410 {@code session_erased}: the session was erased; its id is never used again. */
public class SessionErasedException extends SessionlogException {
  public SessionErasedException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
