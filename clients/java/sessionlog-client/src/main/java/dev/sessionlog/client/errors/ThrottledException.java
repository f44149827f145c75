package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 429 {@code throttled}: the store throttled, or too many reads wait at once; see {@link #retryAfter()}. Nothing was written. */
public class ThrottledException extends SessionlogException {
  public ThrottledException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
