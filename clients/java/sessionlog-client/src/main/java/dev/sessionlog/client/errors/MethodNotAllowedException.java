package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 405 {@code method_not_allowed}. */
public class MethodNotAllowedException extends SessionlogException {
  public MethodNotAllowedException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
