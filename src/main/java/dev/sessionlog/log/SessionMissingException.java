package dev.sessionlog.log;

/** No session of that id. Maps to 404. */
public class SessionMissingException extends RuntimeException {
    private final StreamKey key;

    public SessionMissingException(StreamKey key) {
        super("session \"" + key.sessionId() + "\": no session of that id");
        this.key = key;
    }

    public StreamKey key() {
        return key;
    }
}
