package dev.sessionlog.sessions;

import dev.sessionlog.archive.ArchiveMeta;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.observe.Invocation;
import dev.sessionlog.observe.Metrics.Metric;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.observe.RequestLog;
import dev.sessionlog.recorder.SessionFold;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Folds a batch of stream records into the materialized sessions. The stream is at-least-once
 * and orders records per item only, so each session is folded strictly by seq: what is already
 * folded is skipped, and a gap is filled from the log before folding on. Each session's state is
 * read once and written once per batch, conditionally, so that two invocations never lose each
 * other's update. A session that fails does not fail the others: its records are reported.
 */
public final class StreamRecorder {

    private static final Logger LOG = Logger.getLogger(StreamRecorder.class);
    static final int MAX_ATTEMPTS = 8;
    static final int READ_PAGE = LogFold.READ_PAGE;
    /** Sessions of one batch folded at once: the work is AWS round trips more than CPU. */
    private static final ExecutorService SESSIONS = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "sessionlog-fold");
        t.setDaemon(true);
        return t;
    });

    private final SessionStore store;
    private final EventLog events;
    private final PayloadStore payloads;
    private final ArchiveMeta archive;
    private final Metrics metrics;
    private final Clock clock;
    private final LogFold logFold;
    private final Duration hotWindow;

    /** @param hotWindow the archive's hot window: how long a session marked due stays due at least */
    public StreamRecorder(SessionStore store, EventLog events, PayloadStore payloads, ArchiveMeta archive,
                          Duration hotWindow, Metrics metrics, Clock clock) {
        this.store = store;
        this.hotWindow = hotWindow;
        this.events = events;
        this.payloads = payloads;
        this.archive = archive;
        this.logFold = new LogFold(archive, events, store.options());
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Folds the batch; returns the sequence numbers of the records that must be retried. */
    public List<String> record(List<StreamRecord> records) {
        Map<String, List<StreamRecord>> bySession = new LinkedHashMap<>();
        for (StreamRecord r : records) {
            // Only new events change a session, and a fork's link starts one: archival's deletes are REMOVEs,
            // and the archive's own item (seq 0), a fork's floor and an erasure's mark hold no event.
            if (!"INSERT".equals(r.eventName()) || r.newImage() == null
                    || !(r.newImage().containsKey(EventItems.EVENT_ID) || r.newImage().containsKey(EventItems.FORK_LINK))) {
                continue;
            }
            bySession.computeIfAbsent(r.newImage().get(EventItems.PK).s(), pk -> new ArrayList<>()).add(r);
        }
        // Sessions are independent (each one's records stay together), so they are folded
        // concurrently: a batch over many sessions takes the time of its slowest, not of their sum.
        List<CompletableFuture<List<String>>> folds = new ArrayList<>();
        Map<String, String> invocation = Invocation.fields();
        for (Map.Entry<String, List<StreamRecord>> session : bySession.entrySet()) {
            folds.add(CompletableFuture.supplyAsync(() -> {
                Invocation.adopt(invocation);
                return foldReportingFailure(session.getKey(), session.getValue());
            }, SESSIONS));
        }
        List<String> failed = new ArrayList<>();
        folds.forEach(f -> failed.addAll(f.join()));
        return failed;
    }

    /** Folds one session's records; returns them as failed (to be retried) when the fold fails. */
    private List<String> foldReportingFailure(String pk, List<StreamRecord> records) {
        StreamKey key = StreamKey.fromPk(pk);
        RequestLog.start(null, key.tenant(), key.sessionId());
        try {
            foldSession(key, records);
            return List.of();
        } catch (RuntimeException e) {
            LOG.errorf(e, "recording session %s of tenant %s failed; its %d records will be retried",
                    key.sessionId(), key.tenant(), records.size());
            return records.stream().map(StreamRecord::sequenceNumber).toList();
        } finally {
            RequestLog.end();
        }
    }

    private void foldSession(StreamKey key, List<StreamRecord> records) {
        // The events' own items: a pack's record holds several events.
        TreeMap<Long, Map<String, AttributeValue>> bySeq = new TreeMap<>();
        long lastSeq = 0;
        for (StreamRecord r : records) {
            lastSeq = Math.max(lastSeq, EventItems.lastSeq(r.newImage()));
            // A fork's link only says how far its inherited events go; a stub (a fork's copy of what it
            // inherited) has no body: both are read from the log if they are not folded yet.
            if (r.newImage().containsKey(EventItems.EVENT_ID) && !EventItems.isStub(r.newImage())) {
                EventItems.expand(r.newImage()).forEach(event -> bySeq.put(EventItems.seq(event), event));
            }
        }
        for (int attempt = 1; ; attempt++) {
            Optional<SessionStore.Stored> loaded = store.load(key);
            // Events of a session being erased, or erased (a late or replayed record), bring nothing back.
            // Such a session has no state to load (a DELETE marks its item, an erasure deletes it): only
            // then is its head read. A DELETE after this read moves the stored version on or makes the
            // item (hideFromLists), so the save below is refused and this runs again.
            if (loaded.isEmpty() && isErasedOrErasing(key)) {
                LOG.infof("session %s is erased or being erased; %d records dropped", key.sessionId(), records.size());
                return;
            }
            SessionStore.Stored stored = loaded.orElseGet(() -> SessionStore.Stored.none(logFold.start(key)));
            SessionFold fold = stored.fold();
            long through = fold.recordedThroughSeq();
            long errorsBefore = fold.foldErrorCount();
            if (lastSeq <= through) {
                // A redelivery of what is folded already, perhaps by a rebuild, or by a version before
                // this one, which marked the session for archival after its save and may have died
                // before: marked again unless the session is certainly due (marking is idempotent).
                if (!bySeq.isEmpty() && !ArchiveMeta.certainlyDue(stored.dueMarkedAt(), clock.instant(), hotWindow)) {
                    Map<String, AttributeValue> first = bySeq.firstEntry().getValue();
                    archive.markIndexed(key, through, Instant.ofEpochMilli(Long.parseLong(first.get(EventItems.RECORDED_AT).n())));
                }
                return;
            }
            Folded folded = foldFrom(key, fold, bySeq, lastSeq);
            Instant dueMarkedAt = stored.dueMarkedAt();
            if (folded.first() != null) {
                // Puts the session on the archive's due index, at the time of its oldest new event, before
                // the save that says so; a session that is certainly on it already is left as it is.
                if (!ArchiveMeta.certainlyDue(dueMarkedAt, clock.instant(), hotWindow)) {
                    archive.markIndexed(key, fold.recordedThroughSeq(), folded.first());
                }
                dueMarkedAt = folded.last();
            }
            try {
                store.save(key, fold, stored, dueMarkedAt);
                RequestLog.put("seq", (through + 1) + ".." + fold.recordedThroughSeq());
                LOG.infof("recorded seqs %d..%d", through + 1, fold.recordedThroughSeq());
                Instant newest = bySeq.isEmpty() ? clock.instant() : Instant.ofEpochMilli(Long.parseLong(
                        bySeq.lastEntry().getValue().get(EventItems.RECORDED_AT).n()));
                metrics.emit("record", Map.of(Metric.RecorderLag, Math.max(0, clock.millis() - newest.toEpochMilli()),
                        Metric.FoldErrors, fold.foldErrorCount() - errorsBefore));
                return;
            } catch (SessionStore.ConcurrentUpdateException raced) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    private boolean isErasedOrErasing(StreamKey key) {
        return events.erasedOrErasing(key, events.headInfo(key));
    }


    /**
     * Applies seqs recordedThrough+1..lastSeq, from the batch where it has them, else from the log
     * (a fork's inherited events always: they are its source's).
     *
     * @return when the first and the last of them that are the session's own were recorded; nulls if none is
     */
    private Folded foldFrom(StreamKey key, SessionFold fold, TreeMap<Long, Map<String, AttributeValue>> batch, long lastSeq) {
        Instant first = null;
        Instant last = null;
        long ownFrom = fold.forkSeq() + 1;
        while (fold.recordedThroughSeq() < lastSeq) {
            long next = fold.recordedThroughSeq() + 1;
            Map<String, AttributeValue> inBatch = batch.get(next);
            if (inBatch != null) {
                EventRecord e = EventItems.toRecord(inBatch, payloads);
                first = first == null && e.seq() >= ownFrom ? e.recordedAt() : first;
                last = e.seq() >= ownFrom ? e.recordedAt() : last;
                fold.apply(e);
                continue;
            }
            // A gap: those events came in another batch that has not been folded (or arrive later).
            Long nextInBatch = batch.ceilingKey(next);
            long upTo = nextInBatch == null ? lastSeq : nextInBatch;
            List<EventRecord> missing = events.read(key, fold.recordedThroughSeq(),
                    (int) Math.min(READ_PAGE, upTo - fold.recordedThroughSeq()));
            if (missing.isEmpty() || missing.get(0).seq() != next) {
                throw new IllegalStateException("session " + key.sessionId() + ": seq " + next + " is not readable");
            }
            for (EventRecord e : missing) {
                if (e.seq() > upTo) {
                    break;
                }
                first = first == null && e.seq() >= ownFrom ? e.recordedAt() : first;
                last = e.seq() >= ownFrom ? e.recordedAt() : last;
                fold.apply(e);
            }
        }
        return new Folded(first, last);
    }

    /** When the first and the last of the session's own events a batch folded were recorded (nulls: none). */
    private record Folded(Instant first, Instant last) {
    }

    /** Folds the whole log of a session anew and replaces the stored state: the documented rebuild. */
    public SessionFold rebuild(StreamKey key) {
        for (int attempt = 1; ; attempt++) {
            Optional<SessionStore.Stored> loaded = store.load(key);
            // As for a batch: an erasure that comes after this read refuses the save.
            if (loaded.isEmpty() && isErasedOrErasing(key)) {
                return SessionFold.start(key.sessionId(), store.options()); // nothing to bring back
            }
            SessionFold fold = logFold.start(key);
            SessionStore.Stored previous = loaded.orElseGet(() -> SessionStore.Stored.none(fold));
            long previousThrough = loaded.map(stored -> stored.fold().recordedThroughSeq()).orElse(0L);
            Instant previousLast = loaded.map(stored -> stored.fold().lastEventAt()).orElse(null);
            logFold.applyRest(key, fold);
            if (fold.recordedThroughSeq() == 0) {
                return fold; // no events: nothing to materialize, and nothing is stored
            }
            if (fold.recordedThroughSeq() < previousThrough) {
                // TTL took items the archive does not have yet (the rescue is writing them): a state
                // saved now would forget how far the session goes, and appends would reuse those seqs
                throw new dev.sessionlog.log.StoreBusyException("session " + key.sessionId() + " reads only through seq "
                        + fold.recordedThroughSeq() + " but was recorded through " + previousThrough
                        + ": its newest events are being written to the archive; rebuild it again shortly", 60, null);
            }
            Instant dueMarkedAt = previous.dueMarkedAt();
            boolean ownEventsFolded = fold.recordedThroughSeq() > Math.max(previousThrough, fold.forkSeq());
            if (ownEventsFolded && !ArchiveMeta.certainlyDue(dueMarkedAt, clock.instant(), hotWindow)) {
                // Events the stream may never bring (why a session is rebuilt) go on the archive's due
                // index too: from the last one folded before, or (none) from a hot window ago, so that
                // the next run looks at once and finds when they are due.
                archive.markIndexed(key, fold.recordedThroughSeq(),
                        previousLast != null ? previousLast : clock.instant().minus(hotWindow));
                dueMarkedAt = fold.lastEventAt();
            }
            try {
                store.save(key, fold, previous, dueMarkedAt);
                return fold;
            } catch (SessionStore.ConcurrentUpdateException raced) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }
}
