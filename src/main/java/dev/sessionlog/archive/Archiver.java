package dev.sessionlog.archive;

import dev.sessionlog.chain.CheckpointStore;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.observe.Metrics.Metric;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.observe.RequestLog;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Moves events older than the hot window to S3. For each due session (read from the due index,
 * never by scanning): objects first, then the watermark (conditionally, per object). The items
 * are not touched: TTL deletes them later, without a write unit. A run that dies at any step leaves
 * every event readable exactly once (readers take seqs up to the watermark from S3 only), and the
 * next run finishes the job: it adopts the objects written above the watermark, listing them only
 * where there can be any (a lease never released, hot items that do not go on from the watermark). (Versions before
 * this one left a stub in place of each archived event; their stubs are still read.)
 */
public final class Archiver {

    private static final Logger LOG = Logger.getLogger(Archiver.class);

    /** Where a run can be stopped in tests, to prove that the next run converges. */
    public interface CrashPoints {
        CrashPoints NONE = point -> { };

        void reached(String point);
    }

    public record Report(int sessionsDue, int sessionsArchived, long eventsArchived, int objectsWritten, long bytesWritten) {
        Report plus(Report o) {
            return new Report(sessionsDue + o.sessionsDue, sessionsArchived + o.sessionsArchived, eventsArchived + o.eventsArchived,
                    objectsWritten + o.objectsWritten, bytesWritten + o.bytesWritten);
        }
    }

    private final EventLog hot;
    private final ArchiveMeta meta;
    private final SegmentStore segments;
    private final Clock clock;
    private final ArchiveSettings settings;
    private final CrashPoints crashPoints;
    private final Metrics metrics;
    private final CheckpointStore sealed;

    public Archiver(EventLog hot, ArchiveMeta meta, SegmentStore segments, CheckpointStore sealed, Clock clock,
                    ArchiveSettings settings, CrashPoints crashPoints,
                    Metrics metrics) {
        this.sealed = sealed;
        this.metrics = metrics;
        this.hot = hot;
        this.meta = meta;
        this.segments = segments;
        this.clock = clock;
        this.settings = settings;
        this.crashPoints = crashPoints;
    }

    /** One scheduled run over every due session, within the run's budget (it stops before its lease could lapse). */
    public Report run() {
        Instant started = clock.instant();
        Instant cutoff = started.minus(settings.hotWindow());
        Instant stopBy = started.plus(settings.runBudget());
        List<ArchiveMeta.DueSession> dueSessions = meta.dueSessions(cutoff, 100);
        List<StreamKey> due = dueSessions.stream().map(ArchiveMeta.DueSession::key).toList();
        // The lag the ArchiveLag alarm watches: how long the oldest due event has waited past the hot window.
        long lagSeconds = dueSessions.stream().map(ArchiveMeta.DueSession::oldestEventAt).min(Instant::compareTo)
                .map(oldest -> Math.max(0, cutoff.getEpochSecond() - oldest.getEpochSecond())).orElse(0L);
        Report total = new Report(due.size(), 0, 0, 0, 0);
        for (StreamKey key : due) {
            if (!clock.instant().isBefore(stopBy)) {
                LOG.infof("the run's budget is spent; %d due sessions are left to the next run", due.size() - total.sessionsArchived());
                break;
            }
            RequestLog.start(null, key.tenant(), key.sessionId());
            try {
                Report one = archive(key, cutoff, stopBy);
                if (one.eventsArchived() > 0) {
                    LOG.infof("archived %d events into %d objects", one.eventsArchived(), one.objectsWritten());
                }
                total = total.plus(one);
            } catch (RuntimeException e) {
                LOG.errorf(e, "archiving session %s of tenant %s failed; the next run goes on from its watermark",
                        key.sessionId(), key.tenant());
            } finally {
                RequestLog.end();
            }
        }
        metrics.emit("archive", Map.of(Metric.EventsArchived, total.eventsArchived(), Metric.BytesArchived, total.bytesWritten(),
                Metric.ArchiveLag, lagSeconds));
        return total;
    }

    /** Archives one session's events recorded before {@code cutoff}. */
    public Report archive(StreamKey key, Instant cutoff) {
        return archive(key, cutoff, clock.instant().plus(settings.runBudget()));
    }

    /**
     * Archives one session's events recorded before {@code cutoff}, under a lease of its own, writing
     * no object after {@code stopBy} (which is before the lease runs out).
     */
    private Report archive(StreamKey key, Instant cutoff, Instant stopBy) {
        Instant now = clock.instant();
        String owner = UUID.randomUUID().toString();
        Optional<ArchiveMeta.Taken> taken = meta.take(key, now, now.plus(settings.lease()), owner);
        if (taken.isEmpty()) {
            return new Report(0, 0, 0, 0, 0); // another run is on it
        }
        Head head0 = hot.headInfo(key);
        if (hot.erasedOrErasing(key, head0)) {
            // its erasure owns it now (and takes this lease before it starts): nothing goes to S3 any more
            meta.finish(key, 0, null, owner);
            return new Report(0, 0, 0, 0, 0);
        }
        ArchiveMeta.Meta m = taken.get().meta();
        long watermark = m.archivedThrough();
        int maxEvents = Math.max(m.segmentMaxEvents(), settings.segmentMaxEvents());
        long events = 0;
        int objects = 0;
        long bytes = 0;
        try {
            // Objects above the watermark are listed (a LIST request, dearer than the rest of a
            // run) only where one can be: after a run that stopped without releasing its lease, or
            // where the hot items above the watermark do not begin at the next seq (TTL took them,
            // and the rescue wrote them to S3).
            long listedAt = -1;
            if (taken.get().leftByARunThatStopped()) {
                LOG.infof("the run before this one stopped without releasing its lease: looking for its objects above seq %d", watermark);
                Adopted adopted = adoptObjectsAbove(key, watermark, maxEvents, owner);
                watermark = adopted.watermark();
                maxEvents = adopted.maxEvents();
                listedAt = watermark;
            }
            // No stub is left in place of an archived event: its item stays as it is until its TTL
            // (expires_at) deletes it for free, hot window plus grace after it was written, so
            // retries of its id and its chain value are answered from it until then.
            Window window = new Window(List.of());
            while (events < settings.maxEventsPerRun() && clock.instant().isBefore(stopBy)) {
                if (!window.hasNext(watermark)) {
                    // Only events older than the hot window are archived, and those never change.
                    window = new Window(hot.readSettled(key, watermark, settings.segmentMaxEvents()));
                }
                Cut cut = nextSegment(window, watermark, cutoff);
                if (cut.records().isEmpty()) {
                    if (listedAt != watermark && window.gapAfter(watermark, head0.seq())) {
                        LOG.infof("the hot items do not go on from seq %d (head %d): looking for objects above it", watermark, head0.seq());
                        Adopted adopted = adoptObjectsAbove(key, watermark, maxEvents, owner);
                        watermark = adopted.watermark();
                        maxEvents = adopted.maxEvents();
                        listedAt = watermark;
                        continue;
                    }
                    break;
                }
                EventRecord lastRecord = cut.records().get(cut.records().size() - 1);
                long last = lastRecord.seq();
                bytes += segments.write(key, watermark + 1, last, cut.lines(), lastRecord.chain());
                objects++;
                crashPoints.reached("after-object-write");
                seal(key, last, lastRecord.chain());
                meta.moveWatermark(key, watermark, last, lastRecord.chain(), maxEvents, owner);
                watermark = last;
                events += cut.records().size();
                crashPoints.reached("after-watermark");
            }
            Instant nextDue = hot.read(key, watermark, 1).stream().findFirst().map(EventRecord::recordedAt).orElse(null);
            meta.finish(key, watermark, nextDue, owner);
        } catch (ConditionalCheckFailedException | ArchiveMeta.LeaseLostException movedByAnother) {
            LOG.warnf("the watermark or the lease of session %s moved under this run; leaving it to the other", key.sessionId());
        }
        return new Report(0, events > 0 ? 1 : 0, events, objects, bytes);
    }

    /**
     * Takes into the archive the objects written above the session's watermark (by a run that died,
     * or by {@link ArchiveRescue} from TTL's deletions), under the session's lease. Returns the
     * watermark; when another run holds the lease, that run (or the next) adopts them.
     */
    public long adopt(StreamKey key) {
        Instant now = clock.instant();
        String owner = UUID.randomUUID().toString();
        if (!meta.acquireLease(key, now, now.plus(settings.lease()), owner)) {
            return meta.load(key).archivedThrough();
        }
        ArchiveMeta.Meta m = meta.load(key);
        long watermark = m.archivedThrough();
        try {
            watermark = adoptObjectsAbove(key, watermark, Math.max(m.segmentMaxEvents(), settings.segmentMaxEvents()), owner).watermark();
            Instant nextDue = hot.read(key, watermark, 1).stream().findFirst().map(EventRecord::recordedAt).orElse(null);
            meta.finish(key, watermark, nextDue, owner);
        } catch (ConditionalCheckFailedException | ArchiveMeta.LeaseLostException movedByAnother) {
            LOG.warnf("the watermark or the lease of session %s moved while rescued objects were adopted", key.sessionId());
        }
        return watermark;
    }

    private record Adopted(long watermark, int maxEvents) {
    }

    /** The sealed checkpoint of an object: its last chain value, before the watermark makes it the archive's. */
    private void seal(StreamKey key, long seq, String chain) {
        if (chain != null) {
            sealed.put(key, seq, chain, clock.instant());
        }
    }

    /** The most objects one listing takes in (one LIST request holds up to 1,000). */
    private static final int LISTED_OBJECTS = 1000;

    /**
     * A run that died after writing an object leaves it above the watermark, and so does a rescue:
     * take them as written, in order from the watermark, from one listing.
     */
    private Adopted adoptObjectsAbove(StreamKey key, long watermark, int maxEvents, String owner) {
        List<Segment> listed = segments.listFrom(key, watermark + 1, maxEvents, LISTED_OBJECTS);
        while (true) {
            long next = watermark + 1;
            Segment longest = null;
            for (Segment s : listed) {
                if (s.first() == next && (longest == null || s.last() > longest.last())) {
                    longest = s;
                }
            }
            if (longest == null) {
                if (listed.size() < LISTED_OBJECTS) {
                    return new Adopted(watermark, maxEvents); // the listing had every object above: no more follow
                }
                listed = segments.listFrom(key, next, maxEvents, LISTED_OBJECTS);
                if (listed.stream().noneMatch(s -> s.first() == next)) {
                    return new Adopted(watermark, maxEvents);
                }
                continue;
            }
            // An object written under a larger limit than today's: readers list from seq - its size.
            maxEvents = (int) Math.max(maxEvents, longest.last() - longest.first() + 1);
            // the run that wrote it may have died before its checkpoint: the object's own metadata has the value
            String chain = segments.chainOf(longest);
            seal(key, longest.last(), chain);
            meta.moveWatermark(key, watermark, longest.last(), chain, maxEvents, owner);
            watermark = longest.last();
        }
    }

    /** The records of the next object and their lines, each line made once. */
    private record Cut(List<EventRecord> records, List<byte[]> lines) {
    }

    /** The next object's events: consecutive from watermark+1, recorded before the cutoff, within the limits. */
    private Cut nextSegment(Window window, long watermark, Instant cutoff) {
        List<EventRecord> records = new ArrayList<>();
        List<byte[]> lines = new ArrayList<>();
        long bytes = 0;
        for (EventRecord r : window.from(watermark)) {
            if (!r.recordedAt().isBefore(cutoff) || r.seq() != watermark + 1 + records.size()) {
                break;
            }
            byte[] line = SegmentStore.line(r);
            if (!records.isEmpty() && bytes + line.length > settings.segmentMaxBytes()) {
                break;
            }
            records.add(r);
            lines.add(line);
            bytes += line.length;
        }
        return new Cut(records, lines);
    }

    /**
     * Records read once and cut into as many objects as they make: a byte limit can make objects of
     * a few events, and reading the rest again for each would be quadratic.
     */
    private record Window(List<EventRecord> records) {
        boolean hasNext(long watermark) {
            return !from(watermark).isEmpty();
        }

        /**
         * The session has events above the watermark ({@code headSeq}) but the hot items read do not
         * go on from it: the next seqs are in S3 above the watermark, or not yet readable.
         */
        boolean gapAfter(long watermark, long headSeq) {
            for (EventRecord r : records) {
                if (r.seq() > watermark) {
                    return r.seq() != watermark + 1;
                }
            }
            return headSeq > watermark;
        }

        /** The records after the watermark. */
        List<EventRecord> from(long watermark) {
            for (int i = 0; i < records.size(); i++) {
                if (records.get(i).seq() == watermark + 1) {
                    return records.subList(i, records.size());
                }
            }
            return List.of();
        }
    }
}
