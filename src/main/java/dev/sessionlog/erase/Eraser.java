package dev.sessionlog.erase;

import dev.sessionlog.archive.ArchiveMeta;
import dev.sessionlog.archive.SegmentStore;
import dev.sessionlog.chain.CheckpointStore;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventPartitions;
import dev.sessionlog.log.s3.S3PayloadStore;
import dev.sessionlog.observe.RequestLog;
import dev.sessionlog.sessions.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Erases the sessions marked for erasure, each in steps that can all be repeated: take the session
 * (the erasure's lease on its mark, and the archive's lease, so no archival run writes meanwhile);
 * give each fork its own copy of what it inherited; take it out of its source's registry; delete its
 * archive objects, large bodies and state objects, and its records in the recorder's failed batches; its materialized session; every item of its
 * partition but the mark; then write the tombstone and its sealed record, and remove the mark. A run
 * that dies anywhere leaves the mark, so the next run starts over and skips what is done; readers
 * see nothing from the first step on (the mark answers 404).
 *
 * <p>A mark is taken only {@link #GRACE} after it was made: longer than a recorder invocation lasts,
 * so no fold that started before the mark can save anything after the erasure.
 */
public final class Eraser {

    private static final Logger LOG = Logger.getLogger(Eraser.class);

    /** Longer than the recorder's timeout (60 s): a fold in flight when the mark was made has ended. */
    public static final Duration GRACE = Duration.ofMinutes(2);
    /** Items one run deletes of one session before it looks at its budget again. */
    static final int DELETE_CHUNK = 5_000;

    /** Where a run can be stopped in tests, to prove that the next run finishes the erasure. */
    public interface CrashPoints {
        CrashPoints NONE = point -> { };

        void reached(String point);
    }

    /**
     * @param erased  sessions whose erasure finished in this run
     * @param waiting sessions left for a later run (held by another run, a fork being erased first, or out of time)
     */
    public record Report(int marked, int erased, int waiting, long itemsDeleted, long objectsDeleted, long eventsCopied) {
        Report plus(Report o) {
            return new Report(marked + o.marked, erased + o.erased, waiting + o.waiting, itemsDeleted + o.itemsDeleted,
                    objectsDeleted + o.objectsDeleted, eventsCopied + o.eventsCopied);
        }

        public static final Report NONE = new Report(0, 0, 0, 0, 0, 0);
        static final Report WAITING = new Report(0, 0, 1, 0, 0, 0);
    }

    private final EventLog log;
    private final EventPartitions partitions;
    private final ArchiveMeta archive;
    private final SegmentStore segments;
    private final SessionStore sessions;
    private final CheckpointStore sealed;
    private final ForkCopier copier;
    private final FailedBatches failedBatches;
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Clock clock;
    private final Duration lease;
    private final Duration runBudget;
    private final CrashPoints crashPoints;

    /**
     * @param lease     how long a run holds a session: longer than the function runs
     * @param runBudget how long a run works: shorter than the function's timeout
     */
    public Eraser(EventLog log, EventPartitions partitions, ArchiveMeta archive, SegmentStore segments, SessionStore sessions,
                  CheckpointStore sealed, ForkCopier copier, FailedBatches failedBatches, S3Client s3, String bucket, String prefix, Clock clock,
                  Duration lease, Duration runBudget, CrashPoints crashPoints) {
        this.log = log;
        this.partitions = partitions;
        this.archive = archive;
        this.segments = segments;
        this.sessions = sessions;
        this.sealed = sealed;
        this.copier = copier;
        this.failedBatches = failedBatches;
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.clock = clock;
        this.lease = lease;
        this.runBudget = runBudget;
        this.crashPoints = crashPoints;
    }

    /** Sessions that share a run's budget at least: no one session takes more than its share while others wait. */
    static final int SHARES_PER_RUN = 4;

    /**
     * One run over the sessions marked at least {@link #GRACE} ago, oldest mark first, within the run's
     * budget. Each session gets a share of it; one that needs more is left, moved behind the others
     * ({@link EventPartitions#requeue}), and goes on where it stopped in a later run, so a huge session
     * never holds up the erasure of anyone else's.
     */
    public Report run() {
        Instant started = clock.instant();
        Instant stopBy = started.plus(runBudget);
        List<EventPartitions.Marked> marked = new java.util.ArrayList<>(partitions.marked(started.minus(GRACE), 100));
        marked.sort(java.util.Comparator.comparing(EventPartitions.Marked::markedAt));
        Duration share = runBudget.dividedBy(Math.max(1, Math.min(marked.size(), SHARES_PER_RUN)));
        Report total = new Report(marked.size(), 0, 0, 0, 0, 0);
        RuntimeException firstFailure = null;
        for (EventPartitions.Marked mark : marked) {
            Instant now = clock.instant();
            if (!now.isBefore(stopBy)) {
                total = total.plus(Report.WAITING);
                continue;
            }
            Instant sessionStopBy = now.plus(share).isBefore(stopBy) ? now.plus(share) : stopBy;
            RequestLog.start(null, mark.key().tenant(), mark.key().sessionId());
            try {
                Report report = erase(mark, sessionStopBy);
                if (report.waiting() > 0 && !clock.instant().isBefore(sessionStopBy)) {
                    partitions.requeue(mark, clock.instant().minus(GRACE)); // out of time: the others go first next run
                }
                total = total.plus(report);
            } catch (RuntimeException e) {
                // one session's failure does not stop the others; the run fails at the end (the alarm)
                LOG.errorf(e, "erasing session %s failed; the next run goes on from where it stopped", mark.key().sessionId());
                firstFailure = firstFailure == null ? e : firstFailure;
            } finally {
                RequestLog.end();
            }
        }
        if (firstFailure != null) {
            throw new IllegalStateException("erasing some sessions failed (see the log): " + total, firstFailure);
        }
        return total;
    }

    /** Erases one marked session, or as much of it as fits before {@code stopBy}. */
    Report erase(EventPartitions.Marked mark, Instant stopBy) {
        StreamKey key = mark.key();
        Instant now = clock.instant();
        String owner = UUID.randomUUID().toString();
        if (!partitions.lease(mark, now, now.plus(lease), owner)) {
            return Report.WAITING;
        }
        if (!archive.acquireForErasure(key, now, now.plus(lease), owner)) {
            partitions.release(mark, owner);
            return Report.WAITING; // an archival run is on it; it sees the mark and stops
        }
        crashPoints.reached("leased");
        ArchiveMeta.Meta meta = archive.load(key);
        long copied = 0;
        for (EventPartitions.RegisteredFork fork : partitions.forks(key)) {
            StreamKey forkKey = new StreamKey(key.tenant(), fork.sessionId());
            Head forkHead = log.headInfo(forkKey);
            if (forkHead.erasing()) {
                // its erasure copies what its own forks inherited through this session: it goes first
                release(mark, key, owner);
                LOG.infof("waiting for fork %s to be erased first", fork.sessionId());
                return Report.WAITING;
            }
            if (forkHead.seq() == 0) {
                continue; // erased already
            }
            // The fork's archive lease while its copy is written: neither its archival nor its own erasure
            // (marked meanwhile) can run under the copy and leave a part of it behind. The lease needs the
            // fork's state item, so an erased fork is never written to here.
            if (!archive.acquireLease(forkKey, now, now.plus(lease), owner)) {
                if (log.headInfo(forkKey).seq() == 0) {
                    continue; // erased meanwhile
                }
                release(mark, key, owner);
                LOG.infof("waiting for fork %s: a run of its own holds it", fork.sessionId());
                return Report.WAITING;
            }
            try {
                ArchiveMeta.Meta forkMeta = archive.load(forkKey);
                if (!key.sessionId().equals(forkMeta.forkedFrom()) || forkMeta.inheritedCopied()) {
                    continue; // not this session's fork, or copied already
                }
                ForkCopier.Copy copy = copier.copy(forkKey, forkMeta, owner, stopBy);
                copied += copy.events();
                if (!copy.done()) {
                    release(mark, key, owner);
                    LOG.infof("out of time copying into fork %s (%d events this run): the next run goes on", fork.sessionId(),
                            copy.events());
                    return new Report(0, 0, 1, 0, 0, copied);
                }
            } finally {
                archive.release(forkKey, owner);
            }
            crashPoints.reached("fork-copied");
        }
        if (meta.isFork()) {
            partitions.unregisterFork(new StreamKey(key.tenant(), meta.forkedFrom()), key.sessionId());
        }
        long objects = S3Prefix.deleteAll(s3, bucket, segments.sessionPrefix(key));
        objects += S3Prefix.deleteAll(s3, bucket, S3PayloadStore.sessionPrefix(prefix, key));
        objects += S3Prefix.deleteAll(s3, bucket, sessions.statePrefix(key));
        objects += failedBatches.scrub(key); // the recorder's failed batches hold event bodies too
        crashPoints.reached("objects-deleted");
        sessions.delete(key);
        crashPoints.reached("session-deleted");
        long items = 0;
        while (true) {
            if (!clock.instant().isBefore(stopBy)) {
                release(mark, key, owner);
                return new Report(0, 0, 1, items, objects, copied);
            }
            int deleted = partitions.deletePartition(key, mark.markSeq(), DELETE_CHUNK);
            items += deleted;
            if (deleted == 0) {
                break;
            }
            crashPoints.reached("items-deleted");
        }
        Instant erasedAt = clock.instant();
        String lastChain = partitions.erasedChain(mark);
        partitions.putTombstone(key, erasedAt, mark.lastSeq(), lastChain);
        sealed.putErasure(key, mark.lastSeq(), lastChain, erasedAt);
        crashPoints.reached("tombstoned");
        partitions.removeMark(mark);
        LOG.infof("erased: %d items, %d objects; %d inherited events copied to forks", items, objects, copied);
        return new Report(0, 1, 0, items, objects, copied);
    }

    private void release(EventPartitions.Marked mark, StreamKey key, String owner) {
        archive.release(key, owner);
        partitions.release(mark, owner);
    }
}
