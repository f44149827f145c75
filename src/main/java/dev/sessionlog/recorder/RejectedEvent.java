package dev.sessionlog.recorder;

/**
 * Thrown inside the fold when an event cannot be applied (malformed, or naming an unknown loop). It
 * becomes a fold error; no stack trace is filled in because a bad stream may throw it per event.
 */
final class RejectedEvent extends RuntimeException {

    RejectedEvent(String message) {
        super(message, null, false, false);
    }
}
