package dev.sessionlog.archive;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.ChildPage;
import dev.sessionlog.log.EraseRequest;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.ForkResult;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.ReadSpec;
import dev.sessionlog.log.StoreBusyException;
import dev.sessionlog.log.StreamKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The log as every reader sees it: one gapless sequence, wherever its events live. A session's seqs
 * are, in order: for a fork, those it inherited (read from its source, as the source reads them,
 * unless the fork holds its own copy), then those at or below its archival watermark (from S3), then
 * the rest (from DynamoDB). A page walks these parts in its direction and stops at its limit or
 * budget; where an event lives cannot be told from the outside.
 */
public final class SeamlessEventLog implements EventLog {

    /** What an internal read (recorder, archiver) holds of event bodies at most, beside its event limit. */
    static final long DEFAULT_READ_BYTES = 32L * 1024 * 1024;

    private final EventLog hot;
    private final ArchivedEvents archived;
    private final ArchiveMeta meta;
    private final java.time.Duration itemLifetime;
    private final java.time.Clock clock;

    /**
     * @param itemLifetime how long an event's item lives (hot window + grace): a hole above the
     *                     watermark is TTL's only once the oldest unarchived event has lived that long
     */
    public SeamlessEventLog(EventLog hot, ArchivedEvents archived, ArchiveMeta meta, java.time.Duration itemLifetime,
                            java.time.Clock clock) {
        this.itemLifetime = itemLifetime;
        this.clock = clock;
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
        return readPage(key, ReadSpec.after(afterSeq, limit, DEFAULT_READ_BYTES)).events();
    }

    /** One part of a session's seqs: [lo, hi], read by {@code reader}. */
    private record Part(long lo, long hi, PartReader reader) {
    }

    private interface PartReader {
        EventPage read(ReadSpec spec);
    }

    /** @param sourceWatermark where the source's part, once read, leaves the watermark its page gave */
    private List<Part> parts(StreamKey key, ArchiveMeta.Meta m, long[] sourceWatermark) {
        List<Part> parts = new ArrayList<>();
        long ownBase = 0;
        if (m.readsFromSource()) {
            StreamKey source = new StreamKey(key.tenant(), m.forkedFrom());
            parts.add(new Part(1, m.forkSeq(), spec -> {
                EventPage page = readPage(source, spec);
                sourceWatermark[0] = page.archivedThrough();
                return page;
            }));
            ownBase = m.forkSeq();
        }
        long base = ownBase;
        parts.add(new Part(base + 1, m.archivedThrough(),
                spec -> archived.readPage(key, spec, base, m.archivedThrough(), m.segmentMaxEvents())));
        parts.add(new Part(Math.max(base, m.archivedThrough()) + 1, Long.MAX_VALUE, spec -> gapless(key, m, spec, hot.readPage(key, spec))));
        return parts;
    }

    /**
     * Every seq above the watermark has its item, except events TTL deleted before they were
     * archived, until the rescue has archived them (seconds): a page would skip them, so it answers
     * 429 instead. Only when TTL can have taken any (the oldest unarchived event has outlived its
     * item): any other hole is not TTL's, and is served as it is (verify reports it). Seen in pages
     * without a type filter (a filter skips seqs by itself); appends are held by the head the same way.
     */
    private EventPage gapless(StreamKey key, ArchiveMeta.Meta m, ReadSpec spec, EventPage page) {
        if (!spec.types().isEmpty() || itemLifetime == null || m.oldestUnarchivedAt() == null
                || m.oldestUnarchivedAt().plus(itemLifetime).isAfter(clock.instant())) {
            return page;
        }
        long expected = spec.descending() ? -1 : spec.from() + 1;
        for (EventRecord r : page.events()) {
            if (expected >= 0 && r.seq() != expected) {
                throw rescuing(key, Math.min(expected, r.seq()), Math.max(expected, r.seq()));
            }
            expected = spec.descending() ? r.seq() - 1 : r.seq() + 1;
        }
        List<EventRecord> events = page.events();
        if (spec.descending() && page.exhausted() && !events.isEmpty() && events.get(events.size() - 1).seq() > spec.bound()) {
            throw rescuing(key, spec.bound(), events.get(events.size() - 1).seq());
        }
        return page;
    }

    private static StoreBusyException rescuing(StreamKey key, long from, long to) {
        return new StoreBusyException("events between " + from + " and " + to + " of session " + key.sessionId()
                + " expired before they were archived and are being written to the archive; retry shortly", 5, null);
    }

    @Override
    public EventPage readPage(StreamKey key, ReadSpec spec) {
        ArchiveMeta.Meta m = meta.load(key);
        // A read that goes into the source learns its watermark there: its state is loaded once, not twice.
        long[] sourceWatermark = {-1};
        List<Part> parts = parts(key, m, sourceWatermark);
        if (spec.descending()) {
            java.util.Collections.reverse(parts);
        }
        List<EventRecord> out = new ArrayList<>();
        long bytes = 0;
        int examined = 0;
        long last = spec.from();
        ReadSpec rest = spec;
        for (Part part : parts) {
            if (part.lo() > part.hi()) {
                continue;
            }
            ReadSpec inPart = rest.within(part.lo(), part.hi());
            if (inPart.isEmptyRange()) {
                continue;
            }
            EventPage page = part.reader().read(inPart);
            out.addAll(page.events());
            for (EventRecord r : page.events()) {
                bytes += dev.sessionlog.event.Json.bytes(r.event()).length;
            }
            examined += page.examined();
            if (page.examined() > 0 || !page.events().isEmpty()) {
                last = page.lastExamined();
            }
            if (!page.exhausted() || examined >= spec.limit() || (!out.isEmpty() && bytes >= spec.maxBytes())) {
                return new EventPage(out, effectiveWatermark(key, m, sourceWatermark[0]), last, false, examined);
            }
            // the part is done: the next one goes on from its edge
            last = spec.descending() ? Math.min(last, part.lo()) : Math.max(last, Math.min(part.hi(), inPart.bound()));
            rest = spec.continuing(spec.descending() ? part.lo() : part.hi(), examined, bytes);
        }
        return new EventPage(out, effectiveWatermark(key, m, sourceWatermark[0]), last, true, examined);
    }

    /**
     * Every seq at or below this lives in S3: a fork's own watermark counts only as far as what it
     * inherited is archived too (in its source, or in its own copy).
     */
    private long effectiveWatermark(StreamKey key, ArchiveMeta.Meta m, long sourceKnown) {
        if (!m.readsFromSource()) {
            return m.archivedThrough();
        }
        long source = sourceKnown >= 0 ? sourceKnown : archivedThrough(new StreamKey(key.tenant(), m.forkedFrom()));
        return source >= m.forkSeq() ? m.archivedThrough() : Math.min(source, m.forkSeq());
    }

    @Override
    public Head headInfo(StreamKey key) {
        return hot.headInfo(key);
    }

    @Override
    public boolean writtenAfter(StreamKey key, long headSeq) {
        return hot.writtenAfter(key, headSeq);
    }

    @Override
    public long archivedThrough(StreamKey key) {
        return effectiveWatermark(key, meta.load(key), -1);
    }

    /** The newest event: the fork's source's at the fork seq while the fork has none of its own. */
    @Override
    public Optional<EventRecord> head(StreamKey key) {
        // The newest item is an event of the session's own (one Query), unless it is a fork's link or
        // an erasure mark (neither is an event): only then is the head looked at more closely.
        Optional<EventRecord> own = hot.head(key);
        if (own.isPresent()) {
            return own;
        }
        Head head = hot.headInfo(key);
        if (!head.exists()) {
            return Optional.empty();
        }
        return readPage(key, ReadSpec.before(head.seq() + 1, 1, DEFAULT_READ_BYTES)).events().stream().findFirst();
    }

    /** An id of the session, or, for a fork, of the part it inherited. */
    @Override
    public OptionalLong eventSeq(StreamKey key, String eventId) {
        OptionalLong own = hot.eventSeq(key, eventId);
        if (own.isPresent()) {
            return own;
        }
        Lineage lineage = hot.headInfo(key).lineage();
        for (Lineage.Ancestor a : lineage.ancestors()) {
            OptionalLong inherited = hot.eventSeq(new StreamKey(key.tenant(), a.sessionId()), eventId);
            if (inherited.isPresent() && inherited.getAsLong() <= a.throughSeq()) {
                return inherited;
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public ChildPage children(StreamKey parent, String eventId, int limit, String cursor, long maxBytes) {
        return hot.children(parent, eventId, limit, cursor, maxBytes);
    }

    @Override
    public ForkResult fork(StreamKey source, String newSessionId, Long atSeq) {
        return hot.fork(source, newSessionId, atSeq);
    }

    @Override
    public EraseRequest requestErase(StreamKey key) {
        return hot.requestErase(key);
    }

    @Override
    public boolean isErased(StreamKey key) {
        return hot.isErased(key);
    }
}
