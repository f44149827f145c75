package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 409 {@code session_exists}: a fork names a session that exists already. */
public class SessionExistsException extends SessionlogException {
  public SessionExistsException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
