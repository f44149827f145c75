package dev.sessionlog.log;

/** The session is being erased: nothing more can be appended to it. Maps to 409. */
public class SessionErasingException extends RuntimeException {
    private final StreamKey key;

    public SessionErasingException(StreamKey key) {
        super("session \"" + key.sessionId() + "\": the session is being erased: nothing more can be appended to it");
        this.key = key;
    }

    public StreamKey key() {
        return key;
    }
}
