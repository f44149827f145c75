package dev.sessionlog.log;

/**
 * How far the recorder has folded a session's events: seqs it has seen exist (or existed), even when
 * TTL has deleted their items before the archiver took them and the rescue has not written them to
 * the archive yet. An append that finds no live item above the archive's watermark must not reuse
 * them.
 */
@FunctionalInterface
public interface RecordedThrough {

    /** Knows nothing: 0 for every session. */
    RecordedThrough NONE = key -> 0;

    long of(StreamKey key);
}
