package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 503 {@code unavailable} (or API Gateway's 503/504): the request ran out of time; nothing was half-written; see {@link #retryAfter()}. */
public class UnavailableException extends SessionlogException {
  public UnavailableException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
