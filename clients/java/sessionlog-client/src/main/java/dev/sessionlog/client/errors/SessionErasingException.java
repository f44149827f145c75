package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 409 {@code session_erasing}: the session is being erased; nothing more can be appended to it. */
public class SessionErasingException extends SessionlogException {
  public SessionErasingException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
