package dev.sessionlog.log;

/** A session of that id exists already. Maps to 409. */
public class SessionExistsException extends RuntimeException {
    private final StreamKey key;

    public SessionExistsException(StreamKey key) {
        super("session \"" + key.sessionId() + "\": a session of that id exists already");
        this.key = key;
    }

    public StreamKey key() {
        return key;
    }
}
