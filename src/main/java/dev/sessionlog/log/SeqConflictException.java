package dev.sessionlog.log;

/** The session's head is not what the writer expected; nothing was written. Maps to 409. */
public class SeqConflictException extends RuntimeException {
    private final StreamKey stream;
    private final long expected;
    private final long actual;

    public SeqConflictException(StreamKey stream, long expected, long actual) {
        super("expected seq " + expected + " but head is " + actual);
        this.stream = stream;
        this.expected = expected;
        this.actual = actual;
    }

    public StreamKey stream() {
        return stream;
    }

    public long expected() {
        return expected;
    }

    public long actual() {
        return actual;
    }
}
