package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 401: no tenant, a tenant that is not valid text, or a token the authorizer refused. */
public class UnauthorizedException extends SessionlogException {
  public UnauthorizedException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
