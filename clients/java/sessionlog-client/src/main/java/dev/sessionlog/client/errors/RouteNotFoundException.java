package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 404 {@code route_not_found}: no route has this path (a client older or newer than the service). */
public class RouteNotFoundException extends SessionlogException {
  public RouteNotFoundException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }
}
