package dev.sessionlog.log;

/** The session was erased; its id is not used again. Maps to 410. */
public class SessionErasedException extends RuntimeException {
    private final StreamKey key;

    public SessionErasedException(StreamKey key) {
        super("session \"" + key.sessionId() + "\": the session was erased; its id is not used again");
        this.key = key;
    }

    public StreamKey key() {
        return key;
    }
}
