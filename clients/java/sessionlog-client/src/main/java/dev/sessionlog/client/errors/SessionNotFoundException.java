package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 404 {@code session_not_found}: no such session for this tenant (never made, or being erased or erased). */
public class SessionNotFoundException extends SessionlogException {
  public SessionNotFoundException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
