package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * An error answer of the API: the HTTP status, the body's {@code code} and {@code message}, and the
 * whole {@code error} object for any further field. Each code has its own subclass; API Gateway's
 * own answers ({@code {"message": ...}}) map to the subclass of their status, with {@code code} null.
 */
public class SessionlogException extends RuntimeException {
  private final int status;
  private final String code;
  private final String serverMessage;
  private final JsonNode error;
  private final Duration retryAfter;

  public SessionlogException(int status, String code, String serverMessage, JsonNode error, Duration retryAfter) {
    super(describe(status, code, serverMessage));
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
    this.error = error;
    this.retryAfter = retryAfter;
  }

  /** For failures without an answer (the transport's). */
  protected SessionlogException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.code = null;
    this.serverMessage = message;
    this.error = null;
    this.retryAfter = null;
  }

  private static String describe(int status, String code, String message) {
    return status + (code == null ? "" : " " + code) + ": " + message;
  }

  /** The HTTP status; 0 when no answer came. */
  public int status() {
    return status;
  }

  /** The error code of the body ({@code seq_conflict}, ...); null for API Gateway's own answers. */
  public String code() {
    return code;
  }

  /** The message the server gave. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The body's {@code error} object (or API Gateway's body), for fields this class does not name. */
  public JsonNode error() {
    return error;
  }

  /** The {@code Retry-After} of a 429 or 503, when the answer had one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
