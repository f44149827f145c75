package dev.sessionlog.archive;

/** One archive object: the seqs it holds and its key. */
public record Segment(long first, long last, String key) {

    public boolean contains(long seq) {
        return first <= seq && seq <= last;
    }
}
