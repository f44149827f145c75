package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 413 {@code too_large}: an event, a request or its event count is over the limit the message states. */
public class TooLargeException extends SessionlogException {
  public TooLargeException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
