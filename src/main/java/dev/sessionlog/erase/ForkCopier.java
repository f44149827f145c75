package dev.sessionlog.erase;

import dev.sessionlog.archive.ArchiveMeta;
import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.archive.SegmentStore;
import dev.sessionlog.chain.CheckpointStore;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.ReadSpec;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventPartitions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Gives a fork its own copy of what it inherited, before its source is erased: archive objects under
 * the fork's own prefix (sealed like any archive object), stubs in its partition (its inherited ids
 * stay its own: retries are still duplicates, children still found), then the mark that it reads
 * them from there. A copy stops when its run's time is up and the next run goes on after the last
 * object it recorded (the fork's {@link ArchiveMeta.InheritedCopy}); rerunning a part rewrites the same
 * objects and stubs: a crash anywhere is harmless.
 */
public final class ForkCopier {

    private final EventLog log;
    private final SegmentStore segments;
    private final EventPartitions partitions;
    private final ArchiveMeta meta;
    private final CheckpointStore sealed;
    private final ArchiveSettings settings;
    private final Clock clock;

    public ForkCopier(EventLog log, SegmentStore segments, EventPartitions partitions, ArchiveMeta meta, CheckpointStore sealed,
               ArchiveSettings settings, Clock clock) {
        this.log = log;
        this.segments = segments;
        this.partitions = partitions;
        this.meta = meta;
        this.sealed = sealed;
        this.settings = settings;
        this.clock = clock;
    }

    /** What one run copied of a fork's inheritance, and whether the copy is complete. */
    record Copy(long events, boolean done) {
    }

    /**
     * Copies seqs 1..forkSeq of the fork (as its source reads them) into the fork, going on from where
     * an earlier run stopped, until done or {@code stopBy}; the caller holds the fork's archive lease.
     */
    Copy copy(StreamKey fork, ArchiveMeta.Meta forkMeta, String owner, Instant stopBy) {
        StreamKey source = new StreamKey(fork.tenant(), forkMeta.forkedFrom());
        ArchiveMeta.InheritedCopy progress = forkMeta.copy();
        int maxEvents = progress.segmentMaxEvents() > 0 ? progress.segmentMaxEvents()
                : Math.max(forkMeta.segmentMaxEvents(), settings.segmentMaxEvents());
        long after = progress.copiedThrough();
        long copied = 0;
        while (after < forkMeta.forkSeq()) {
            if (!clock.instant().isBefore(stopBy)) {
                return new Copy(copied, false);
            }
            int limit = (int) Math.min(maxEvents, forkMeta.forkSeq() - after);
            EventPage page = log.readPage(source, ReadSpec.after(after, limit, settings.segmentMaxBytes()));
            List<EventRecord> records = page.events();
            if (records.isEmpty() || records.get(0).seq() != after + 1
                    || records.get(records.size() - 1).seq() != after + records.size()) {
                throw new IllegalStateException("fork " + fork.sessionId() + ": its source " + source.sessionId()
                        + " does not read gaplessly after seq " + after);
            }
            EventRecord last = records.get(records.size() - 1);
            segments.write(fork, records);
            if (last.chain() != null) {
                sealed.put(fork, last.seq(), last.chain(), clock.instant());
            }
            partitions.writeStubs(fork, records, records.stream().map(r -> Json.bytes(r.event()).length).toList());
            meta.markCopiedThrough(fork, last.seq(), maxEvents, owner);
            copied += records.size();
            after = last.seq();
        }
        meta.markInheritedCopied(fork, maxEvents);
        return new Copy(copied, true);
    }
}
