package dev.sessionlog.event;

/** A request or event over a stated limit; the message states the limit. Maps to 413. */
public class TooLargeException extends RuntimeException {
    public TooLargeException(String message) {
        super(message);
    }
}
