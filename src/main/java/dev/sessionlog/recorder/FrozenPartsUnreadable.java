package dev.sessionlog.recorder;

/**
 * The frozen parts an event needed could not be read back (the store failed, or a part is missing).
 * Not the event's fault, so never one of its fold errors: the fold stops, and the batch is retried.
 */
public final class FrozenPartsUnreadable extends RuntimeException {

    FrozenPartsUnreadable(RuntimeException cause) {
        super("the session's frozen loops could not be read back: " + cause.getMessage(), cause);
    }
}
