package dev.sessionlog.log;

/**
 * The newest item of a session's partition, as appends and reads need it: its seq, its chain value
 * (what the next event links to), the session's lineage when it is a fork, and whether it is the
 * mark of an erasure (which no event can follow). {@code itemSeq} is the key of the item that holds
 * the head (the first seq of a request's item that holds several events), 0 for a head known from the
 * archive (its items expired): no item there can be checked in a write.
 */
public record Head(long seq, String chain, Lineage lineage, boolean erasing, long itemSeq) {

    /** A session with no item at all: new, or erased (its tombstone tells). */
    public static final Head NONE = new Head(0, null, Lineage.NONE, false, 0);

    /** A head that an item of its own holds. */
    public Head(long seq, String chain, Lineage lineage, boolean erasing) {
        this(seq, chain, lineage, erasing, seq);
    }

    public boolean exists() {
        return seq > 0 && !erasing;
    }

    /** Whether an item holds the head (false when TTL took it and the archive tells the head). */
    public boolean itemHeld() {
        return itemSeq > 0;
    }
}
