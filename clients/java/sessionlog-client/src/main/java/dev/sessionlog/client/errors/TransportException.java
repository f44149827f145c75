package dev.sessionlog.client.errors;

/** No answer came (connection refused or reset, timeout), after the retry policy's attempts. */
public class TransportException extends SessionlogException {
  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
