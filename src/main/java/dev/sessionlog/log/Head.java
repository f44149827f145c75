package dev.sessionlog.log;

/**
 * The newest item of a session's partition, as appends and reads need it: its seq, its chain value
 * (what the next event links to), the session's lineage when it is a fork, and whether it is the
 * mark of an erasure (which no event can follow). {@code itemHeld} is false for a head known from the
 * archive (its items expired): no item at its seq can be checked in a write.
 */
public record Head(long seq, String chain, Lineage lineage, boolean erasing, boolean itemHeld) {

    /** A session with no item at all: new, or erased (its tombstone tells). */
    public static final Head NONE = new Head(0, null, Lineage.NONE, false, false);

    /** A head that an item of the session holds. */
    public Head(long seq, String chain, Lineage lineage, boolean erasing) {
        this(seq, chain, lineage, erasing, true);
    }

    public boolean exists() {
        return seq > 0 && !erasing;
    }
}
