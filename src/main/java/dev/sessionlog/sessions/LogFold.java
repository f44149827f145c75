package dev.sessionlog.sessions;

import dev.sessionlog.archive.ArchiveMeta;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.EventReader;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.RecorderOptions;
import dev.sessionlog.recorder.SessionFold;
import java.time.Instant;
import java.util.List;

/**
 * A session's fold made from its log: the start it needs (a fork's names its source, fork seq and
 * the ancestors whose ids count as its own), then its events page by page. The recorder's rebuild
 * and the reads of a session the recorder has not stored yet fold the same way.
 */
public final class LogFold {

    static final int READ_PAGE = 1000;

    private final ArchiveMeta archive;
    private final EventReader events;
    private final RecorderOptions options;

    public LogFold(ArchiveMeta archive, EventReader events, RecorderOptions options) {
        this.archive = archive;
        this.events = events;
        this.options = options;
    }

    /** An empty fold of the session, a fork's knowing its lineage. */
    public SessionFold start(StreamKey key) {
        ArchiveMeta.Meta meta = archive.load(key);
        if (!meta.isFork()) {
            return SessionFold.start(key.sessionId(), options);
        }
        List<String> aliases = meta.lineage().ancestors().stream().map(Lineage.Ancestor::sessionId).toList();
        return SessionFold.startFork(key.sessionId(), options, meta.forkedFrom(), meta.forkSeq(),
                Instant.parse(meta.forkedAt()), aliases);
    }

    /** Applies every event after what {@code fold} holds, to the session's head as it is now. */
    public SessionFold applyRest(StreamKey key, SessionFold fold) {
        while (true) {
            List<EventRecord> page = events.read(key, fold.recordedThroughSeq(), READ_PAGE);
            if (page.isEmpty()) {
                return fold;
            }
            fold.applyAll(page);
        }
    }

    /** The whole fold of the session's log. */
    public SessionFold of(StreamKey key) {
        return applyRest(key, start(key));
    }
}
