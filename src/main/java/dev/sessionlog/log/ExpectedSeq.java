package dev.sessionlog.log;

import java.util.OptionalLong;

/** What a writer believes the session's head to be: anything, no session yet, or exactly n. */
public final class ExpectedSeq {

    private static final ExpectedSeq ANY = new ExpectedSeq(-1);
    private final long seq;

    private ExpectedSeq(long seq) {
        this.seq = seq;
    }

    public static ExpectedSeq any() {
        return ANY;
    }

    public static ExpectedSeq at(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("expected seq must be >= 0");
        }
        return new ExpectedSeq(seq);
    }

    public static ExpectedSeq from(OptionalLong expected) {
        return expected.isPresent() ? at(expected.getAsLong()) : any();
    }

    public boolean isAny() {
        return seq < 0;
    }

    /** The expected head; only for a specific expectation. */
    public long seq() {
        if (isAny()) {
            throw new IllegalStateException("no specific seq is expected");
        }
        return seq;
    }

    @Override
    public String toString() {
        return isAny() ? "any" : Long.toString(seq);
    }
}
