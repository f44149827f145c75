package dev.sessionlog.archive;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.ChildPage;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.StreamKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The log as every reader sees it: seqs up to the session's archival watermark from S3, the rest
 * from DynamoDB, one gapless sequence. Where an event lives cannot be told from the outside.
 */
public final class SeamlessEventLog implements EventLog {

    /** What an internal read (recorder, archiver) holds of event bodies at most, beside its event limit. */
    static final long DEFAULT_READ_BYTES = 32L * 1024 * 1024;

    private final EventLog hot;
    private final ArchivedEvents archived;
    private final ArchiveMeta meta;

    public SeamlessEventLog(EventLog hot, ArchivedEvents archived, ArchiveMeta meta) {
        this.hot = hot;
        this.archived = archived;
        this.meta = meta;
    }

    @Override
    public AppendResult append(StreamKey key, AppendRequest request) {
        return hot.append(key, request);
    }

    @Override
    public List<EventRecord> read(StreamKey key, long afterSeq, int limit) {
        return readPage(key, afterSeq, limit, DEFAULT_READ_BYTES).events();
    }

    @Override
    public EventPage readPage(StreamKey key, long afterSeq, int limit, long maxBytes) {
        ArchiveMeta.Meta m = meta.load(key);
        List<EventRecord> out = new ArrayList<>();
        long bytes = 0;
        if (afterSeq < m.archivedThrough()) {
            for (EventRecord r : archived.read(key, afterSeq, m.archivedThrough(), m.segmentMaxEvents(), limit)) {
                long size = Json.bytes(r.event()).length;
                if (!out.isEmpty() && bytes + size > maxBytes) {
                    return new EventPage(out, m.archivedThrough());
                }
                out.add(r);
                bytes += size;
            }
        }
        if (out.size() < limit && (out.isEmpty() || bytes < maxBytes)) {
            long from = out.isEmpty() ? Math.max(afterSeq, m.archivedThrough()) : out.get(out.size() - 1).seq();
            if (from >= m.archivedThrough()) {
                EventPage hotPage = hot.readPage(key, from, limit - out.size(), out.isEmpty() ? maxBytes : maxBytes - bytes);
                List<EventRecord> more = hotPage.events();
                if (!out.isEmpty() && !more.isEmpty() && bytes + Json.bytes(more.get(0).event()).length > maxBytes) {
                    more = List.of(); // the hot part's first record would not fit after the archived ones
                }
                out.addAll(more);
            }
        }
        return new EventPage(out, m.archivedThrough());
    }

    @Override
    public long headSeq(StreamKey key) {
        return hot.headSeq(key);
    }

    @Override
    public long archivedThrough(StreamKey key) {
        return meta.load(key).archivedThrough();
    }

    @Override
    public Optional<EventRecord> head(StreamKey key) {
        return hot.head(key);
    }

    @Override
    public OptionalLong eventSeq(StreamKey key, String eventId) {
        return hot.eventSeq(key, eventId);
    }

    @Override
    public ChildPage children(StreamKey parent, String eventId, int limit, String cursor, long maxBytes) {
        return hot.children(parent, eventId, limit, cursor, maxBytes);
    }
}
