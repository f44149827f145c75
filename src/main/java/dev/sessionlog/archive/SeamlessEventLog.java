package dev.sessionlog.archive;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
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
        return readPage(key, afterSeq, limit).events();
    }

    @Override
    public EventPage readPage(StreamKey key, long afterSeq, int limit) {
        ArchiveMeta.Meta m = meta.load(key);
        List<EventRecord> out = new ArrayList<>();
        if (afterSeq < m.archivedThrough()) {
            out.addAll(archived.read(key, afterSeq, m.archivedThrough(), m.segmentMaxEvents(), limit));
        }
        if (out.size() < limit) {
            long from = Math.max(afterSeq, m.archivedThrough());
            out.addAll(hot.read(key, from, limit - out.size()));
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
    public ChildPage children(String tenant, String parentEventId, int limit, String cursor) {
        return hot.children(tenant, parentEventId, limit, cursor);
    }
}
