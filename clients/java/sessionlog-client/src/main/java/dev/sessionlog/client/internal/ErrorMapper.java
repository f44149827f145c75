package dev.sessionlog.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.client.errors.EventNotFoundException;
import dev.sessionlog.client.errors.InternalErrorException;
import dev.sessionlog.client.errors.InvalidRequestException;
import dev.sessionlog.client.errors.LoopNotFoundException;
import dev.sessionlog.client.errors.MethodNotAllowedException;
import dev.sessionlog.client.errors.PartialDuplicateException;
import dev.sessionlog.client.errors.RouteNotFoundException;
import dev.sessionlog.client.errors.SeqConflictException;
import dev.sessionlog.client.errors.SessionErasedException;
import dev.sessionlog.client.errors.SessionErasingException;
import dev.sessionlog.client.errors.SessionExistsException;
import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.client.errors.SessionlogException;
import dev.sessionlog.client.errors.ThrottledException;
import dev.sessionlog.client.errors.TooLargeException;
import dev.sessionlog.client.errors.UnauthorizedException;
import dev.sessionlog.client.errors.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Turns an error answer into the exception of its code (or, for API Gateway's own answers, of its status). */
public final class ErrorMapper {
  private ErrorMapper() {}

  public static SessionlogException map(int status, byte[] body, Duration retryAfter) {
    JsonNode tree = Json.tree(body);
    JsonNode error = tree == null ? null : tree.get("error");
    if (error != null && error.isObject()) {
      String code = error.path("code").asText(null);
      String message = error.path("message").asText("");
      return byCode(status, code, message, error, retryAfter);
    }
    String message = tree != null && tree.has("message")
        ? tree.get("message").asText()
        : new String(body, StandardCharsets.UTF_8);
    return byStatus(status, message, tree, retryAfter);
  }

  private static SessionlogException byCode(int status, String code, String message, JsonNode error, Duration retryAfter) {
    if (code == null) {
      return byStatus(status, message, error, retryAfter);
    }
    return switch (code) {
      case "invalid_request" -> new InvalidRequestException(status, code, message, error, retryAfter);
      case "unauthorized" -> new UnauthorizedException(status, code, message, error, retryAfter);
      case "session_not_found" -> new SessionNotFoundException(status, code, message, error, retryAfter);
      case "event_not_found" -> new EventNotFoundException(status, code, message, error, retryAfter);
      case "loop_not_found" -> new LoopNotFoundException(status, code, message, error, retryAfter);
      case "route_not_found" -> new RouteNotFoundException(status, code, message, error, retryAfter);
      case "method_not_allowed" -> new MethodNotAllowedException(status, code, message, error, retryAfter);
      case "seq_conflict" -> new SeqConflictException(status, code, message, error, retryAfter);
      case "partial_duplicate" -> new PartialDuplicateException(status, code, message, error, retryAfter);
      case "session_exists" -> new SessionExistsException(status, code, message, error, retryAfter);
      case "session_erasing" -> new SessionErasingException(status, code, message, error, retryAfter);
      case "session_erased" -> new SessionErasedException(status, code, message, error, retryAfter);
      case "too_large" -> new TooLargeException(status, code, message, error, retryAfter);
      case "throttled" -> new ThrottledException(status, code, message, error, retryAfter);
      case "internal" -> new InternalErrorException(status, code, message, error, retryAfter);
      case "unavailable" -> new UnavailableException(status, code, message, error, retryAfter);
      default -> new SessionlogException(status, code, message, error, retryAfter);
    };
  }

  /** API Gateway's answers carry no code: the status says what happened. */
  private static SessionlogException byStatus(int status, String message, JsonNode body, Duration retryAfter) {
    return switch (status) {
      case 400 -> new InvalidRequestException(status, null, message, body, retryAfter);
      case 401, 403 -> new UnauthorizedException(status, null, message, body, retryAfter);
      case 413 -> new TooLargeException(status, null, message, body, retryAfter);
      case 429 -> new ThrottledException(status, null, message, body, retryAfter);
      case 500 -> new InternalErrorException(status, null, message, body, retryAfter);
      case 502, 503, 504 -> new UnavailableException(status, null, message, body, retryAfter);
      default -> new SessionlogException(status, null, message, body, retryAfter);
    };
  }
}
