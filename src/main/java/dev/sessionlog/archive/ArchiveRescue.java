package dev.sessionlog.archive;

import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.StoreBusyException;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.dynamo.BatchWrites;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.observe.Metrics.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * No event is lost when TTL outruns the archiver: an event's item that DynamoDB's TTL deleted above
 * the session's watermark is written to the archive from its stream record's old image, as objects
 * of consecutive seqs above the watermark, which are then adopted as a run that died would have
 * left them. Items at or below the watermark are in S3 already and are let go; those of children
 * leave a link behind (an item that does not expire) so that their parent still finds them. Each session is
 * rescued on its own: one that fails is retried (its records are reported as failures) without
 * holding up the others.
 */
public final class ArchiveRescue {

    private static final Logger LOG = Logger.getLogger(ArchiveRescue.class);

    /** An item TTL deleted: its stream record's sequence number and old image. */
    public record Expired(String sequenceNumber, Map<String, AttributeValue> oldImage) {
    }

    private final ArchiveMeta meta;
    private final SegmentStore segments;
    private final PayloadStore payloads;
    private final Archiver archiver;
    private final ArchiveSettings settings;
    private final EventLog log;
    private final DynamoDbClient dynamo;
    private final String table;
    private final Metrics metrics;

    public ArchiveRescue(ArchiveMeta meta, SegmentStore segments, PayloadStore payloads, Archiver archiver, ArchiveSettings settings,
                         EventLog log, DynamoDbClient dynamo, String table, Metrics metrics) {
        this.metrics = metrics;
        this.settings = settings;
        this.log = log;
        this.dynamo = dynamo;
        this.table = table;
        this.meta = meta;
        this.segments = segments;
        this.payloads = payloads;
        this.archiver = archiver;
    }

    /** Rescues what needs it; returns the sequence numbers of the records of sessions that failed. */
    public List<String> rescue(List<Expired> expired) {
        Map<String, List<Expired>> bySession = new LinkedHashMap<>();
        for (Expired e : expired) {
            if (e.oldImage() != null && e.oldImage().containsKey(EventItems.EVENT_ID) && !EventItems.isStub(e.oldImage())) {
                bySession.computeIfAbsent(e.oldImage().get(EventItems.PK).s(), pk -> new ArrayList<>()).add(e);
            }
        }
        List<String> failed = new ArrayList<>();
        int[] rescuedInAll = {0};
        bySession.forEach((pk, items) -> {
            StreamKey key = StreamKey.fromPk(pk);
            try {
                int rescued = rescue(key, items);
                rescuedInAll[0] += rescued;
                if (rescued > 0) {
                    LOG.warnf("TTL deleted %d events of session %s before they were archived; they were written to the archive"
                            + " from their stream records (is the archiver keeping up? see the ArchiveLag alarm)", rescued, key.sessionId());
                }
            } catch (RuntimeException ex) {
                LOG.errorf(ex, "rescuing the expired events of session %s failed; the batch is retried", key.sessionId());
                items.forEach(i -> failed.add(i.sequenceNumber()));
            }
        });
        if (rescuedInAll[0] > 0) {
            metrics.emit("record", Map.of(Metric.EventsRescued, rescuedInAll[0]));
        }
        return failed;
    }

    private int rescue(StreamKey key, List<Expired> items) {
        long watermark = meta.load(key).archivedThrough();
        List<Expired> unarchived = items.stream().filter(e -> EventItems.lastSeq(e.oldImage()) > watermark).toList();
        if (unarchived.isEmpty() && items.stream().noneMatch(e -> EventItems.hasParent(e.oldImage()))) {
            return 0; // the usual case: archived long ago, nothing to write
        }
        if (erasedOrErasing(key)) {
            return 0; // an erased session's events are let go, not written anywhere again
        }
        TreeMap<Long, EventRecord> above = new TreeMap<>();
        for (Expired e : unarchived) {
            for (Map<String, AttributeValue> event : EventItems.expand(e.oldImage())) { // a pack holds several
                if (EventItems.seq(event) > watermark) {
                    above.putIfAbsent(EventItems.seq(event), EventItems.toRecord(event, payloads));
                }
            }
        }
        long adopted = watermark;
        if (!above.isEmpty()) {
            writeObjects(key, above);
            adopted = archiver.adopt(key);
        }
        link(key, items, adopted);
        return above.size();
    }

    /**
     * Links for the children among the deleted items, so that their parents still find them: only
     * for events the archive holds (their bodies are read from it). A child not adopted yet fails
     * the batch, which is retried.
     */
    private void link(StreamKey key, List<Expired> items, long watermark) {
        List<WriteRequest> links = new ArrayList<>();
        for (Expired e : items) {
            if (EventItems.hasParent(e.oldImage())) {
                if (EventItems.seq(e.oldImage()) > watermark) {
                    throw new IllegalStateException("event " + EventItems.seq(e.oldImage()) + " is not archived yet (watermark "
                            + watermark + "): its link waits for the archive");
                }
                links.add(WriteRequest.builder().putRequest(PutRequest.builder().item(EventItems.link(e.oldImage())).build()).build());
            }
        }
        if (links.isEmpty()) {
            return;
        }
        for (int from = 0; from < links.size(); from += BatchWrites.MAX_REQUESTS) {
            BatchWrites.write(dynamo, table, new ArrayList<>(links.subList(from, Math.min(links.size(), from + BatchWrites.MAX_REQUESTS))));
        }
    }

    private boolean erasedOrErasing(StreamKey key) {
        try {
            return log.erasedOrErasing(key, log.headInfo(key));
        } catch (StoreBusyException rescuePending) {
            // the head is unknown until this rescue is done; an erasure's mark would have been the newest item
            return log.isErased(key);
        }
    }

    private void writeObjects(StreamKey key, TreeMap<Long, EventRecord> above) {
        // Consecutive seqs make objects within the archive's limits; they are adopted in order from the watermark.
        List<EventRecord> run = new ArrayList<>();
        long bytes = 0;
        for (EventRecord r : above.values()) {
            int size = SegmentStore.line(r).length;
            if (!run.isEmpty() && (r.seq() != run.get(run.size() - 1).seq() + 1 || run.size() >= settings.segmentMaxEvents()
                    || bytes + size > settings.segmentMaxBytes())) {
                write(key, run);
                run = new ArrayList<>();
                bytes = 0;
            }
            run.add(r);
            bytes += size;
        }
        write(key, run);
    }

    private void write(StreamKey key, List<EventRecord> run) {
        List<byte[]> lines = run.stream().map(SegmentStore::line).toList();
        EventRecord last = run.get(run.size() - 1);
        segments.write(key, run.get(0).seq(), last.seq(), lines, last.chain());
    }
}
