package dev.sessionlog.log;

import dev.sessionlog.event.EventRecord;
import java.util.List;

/** Reads a session's events in seq order: what the recorder's catch-up and rebuild need. */
public interface EventReader {

    /** Events with seq greater than {@code afterSeq}, ascending, at most {@code limit}. */
    List<EventRecord> read(StreamKey key, long afterSeq, int limit);
}
