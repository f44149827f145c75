package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 400 {@code invalid_request}: the request is not valid; the message names the field. */
public class InvalidRequestException extends SessionlogException {
  public InvalidRequestException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
