package dev.sessionlog.log;

import dev.sessionlog.event.EventRecord;
import java.util.List;

/** Reads a session's events in seq order: what the recorder's catch-up and rebuild need. */
public interface EventReader {

    /** Events with seq greater than {@code afterSeq}, ascending, at most {@code limit}. */
    List<EventRecord> read(StreamKey key, long afterSeq, int limit);

    /**
     * As {@link #read}, for events that can no longer change (older than the hot window: the
     * archiver's reads). A store may answer it with an eventually consistent read, at half the units.
     */
    default List<EventRecord> readSettled(StreamKey key, long afterSeq, int limit) {
        return read(key, afterSeq, limit);
    }
}
