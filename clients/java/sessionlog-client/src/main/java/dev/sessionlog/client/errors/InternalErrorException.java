package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 500 {@code internal}: a fault of the service; nothing was half-written. */
public class InternalErrorException extends SessionlogException {
  public InternalErrorException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
