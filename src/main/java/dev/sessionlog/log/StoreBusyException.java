package dev.sessionlog.log;

/**
 * The store could not take the write after bounded retries: DynamoDB throttled, or too many
 * writers raced for the same session. Nothing was written; the client should retry. Maps to 429.
 */
public class StoreBusyException extends RuntimeException {
    private final int retryAfterSeconds;

    public StoreBusyException(String message, int retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
