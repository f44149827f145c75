package dev.sessionlog.archive;

import dev.sessionlog.chain.CheckpointStore;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.BatchWrites;
import dev.sessionlog.log.dynamo.EventBodyCodec;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.observe.Metrics.Metric;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.observe.RequestLog;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Moves events older than the hot window to S3. For each due session (read from the due index,
 * never by scanning): objects first, then the watermark (conditionally, per object), then the
 * DynamoDB items become stubs. A run that dies at any step leaves every event readable exactly
 * once (readers take seqs up to the watermark from S3 only), and the next run finishes the job:
 * it adopts the objects written above the watermark, then stubs what is left.
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

    private final DynamoDbClient dynamo;
    private final String table;
    private final EventLog hot;
    private final ArchiveMeta meta;
    private final SegmentStore segments;
    private final Clock clock;
    private final ArchiveSettings settings;
    private final CrashPoints crashPoints;
    private final Metrics metrics;
    private final PayloadStore payloads;
    private final CheckpointStore sealed;

    public Archiver(DynamoDbClient dynamo, String table, EventLog hot, ArchiveMeta meta, SegmentStore segments,
                    PayloadStore payloads, CheckpointStore sealed, Clock clock, ArchiveSettings settings, CrashPoints crashPoints,
                    Metrics metrics) {
        this.sealed = sealed;
        this.metrics = metrics;
        this.payloads = payloads;
        this.dynamo = dynamo;
        this.table = table;
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
        List<StreamKey> due = meta.due(cutoff, 100);
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
        metrics.emit("archive", Map.of(Metric.EventsArchived, total.eventsArchived(), Metric.BytesArchived, total.bytesWritten()));
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
        if (!meta.acquireLease(key, now, now.plus(settings.lease()), owner)) {
            return new Report(0, 0, 0, 0, 0); // another run is on it
        }
        Head head0 = hot.headInfo(key);
        if (hot.erasedOrErasing(key, head0)) {
            // its erasure owns it now (and takes this lease before it starts): nothing goes to S3 any more
            meta.finish(key, 0, null, owner);
            return new Report(0, 0, 0, 0, 0);
        }
        ArchiveMeta.Meta m = meta.load(key);
        long watermark = m.archivedThrough();
        int maxEvents = Math.max(m.segmentMaxEvents(), settings.segmentMaxEvents());
        long events = 0;
        int objects = 0;
        long bytes = 0;
        try {
            Adopted adopted = adoptObjectsAbove(key, watermark, maxEvents, owner);
            watermark = adopted.watermark();
            maxEvents = adopted.maxEvents();
            long head = head0.seq(); // read under this run's lease, like the events below it
            // What earlier runs archived but did not stub (they died, or objects were adopted).
            Set<String> largeIds = new HashSet<>(stubLeftovers(key, m.stubbedThrough(), watermark, head));
            Window window = new Window(List.of());
            while (events < settings.maxEventsPerRun() && clock.instant().isBefore(stopBy)) {
                if (!window.hasNext(watermark)) {
                    window = new Window(hot.read(key, watermark, settings.segmentMaxEvents()));
                }
                Cut cut = nextSegment(window, watermark, cutoff);
                if (cut.records().isEmpty()) {
                    break;
                }
                EventRecord lastRecord = cut.records().get(cut.records().size() - 1);
                long last = lastRecord.seq();
                bytes += segments.write(key, watermark + 1, last, cut.lines(), lastRecord.chain());
                objects++;
                crashPoints.reached("after-object-write");
                seal(key, last, lastRecord.chain());
                meta.moveWatermark(key, watermark, last, maxEvents, owner);
                watermark = last;
                events += cut.records().size();
                crashPoints.reached("after-watermark");
                // Stubs from the records just archived: no second read of their items.
                List<WriteRequest> stubs = new ArrayList<>();
                for (int i = 0; i < cut.records().size(); i++) {
                    EventRecord r = cut.records().get(i);
                    if (r.seq() != head) {
                        int bodySize = Json.bytes(r.event()).length;
                        stubs.add(stubWrite(EventItems.stub(key, r, bodySize)));
                        if (bodySize >= EventBodyCodec.MIN_REFERENCED_BYTES) {
                            largeIds.add(r.eventId()); // only a body this large can have gone to S3
                        }
                    }
                }
                writeStubs(stubs);
            }
            removePayloadsOf(key, largeIds);
            // A head at or below the watermark stays whole; a later run stubs it once it is not the head.
            meta.markStubbed(key, head <= watermark ? Math.min(watermark, head - 1) : watermark, owner);
            Instant nextDue = hot.read(key, watermark, 1).stream().findFirst().map(EventRecord::recordedAt).orElse(null);
            meta.finish(key, watermark, nextDue, owner);
        } catch (ConditionalCheckFailedException | ArchiveMeta.LeaseLostException movedByAnother) {
            LOG.warnf("the watermark or the lease of session %s moved under this run; leaving it to the other", key.sessionId());
        }
        return new Report(0, events > 0 ? 1 : 0, events, objects, bytes);
    }

    private record Adopted(long watermark, int maxEvents) {
    }

    /** The sealed checkpoint of an object: its last chain value, before the watermark makes it the archive's. */
    private void seal(StreamKey key, long seq, String chain) {
        if (chain != null) {
            sealed.put(key, seq, chain, clock.instant());
        }
    }

    /** A run that died after writing an object leaves it above the watermark: take it as written. */
    private Adopted adoptObjectsAbove(StreamKey key, long watermark, int maxEvents, String owner) {
        while (true) {
            long next = watermark + 1;
            Segment longest = null;
            for (Segment s : segments.listFrom(key, next, maxEvents, 1000)) {
                if (s.first() == next && (longest == null || s.last() > longest.last())) {
                    longest = s;
                }
            }
            if (longest == null) {
                return new Adopted(watermark, maxEvents);
            }
            // An object written under a larger limit than today's: readers list from seq - its size.
            maxEvents = (int) Math.max(maxEvents, longest.last() - longest.first() + 1);
            // the run that wrote it may have died before its checkpoint: the object's own metadata has the value
            seal(key, longest.last(), segments.chainOf(longest));
            meta.moveWatermark(key, watermark, longest.last(), maxEvents, owner);
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

    private static WriteRequest stubWrite(Map<String, AttributeValue> stub) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(stub).build()).build();
    }

    /**
     * Stubs the items of (stubbedThrough, watermark] that are still whole: what a run that died, or
     * whose objects were adopted, left. The newest event stays whole: appends find the head by it.
     */
    private List<String> stubLeftovers(StreamKey key, long stubbedThrough, long watermark, long head) {
        List<String> referencedIds = new ArrayList<>();
        if (watermark <= stubbedThrough) {
            return referencedIds;
        }
        List<WriteRequest> pending = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table)
                    .keyConditionExpression("pk = :pk AND seq BETWEEN :lo AND :hi")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()),
                            ":lo", AttributeValue.fromN(Long.toString(stubbedThrough + 1)),
                            ":hi", AttributeValue.fromN(Long.toString(watermark))))
                    .exclusiveStartKey(from).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            for (Map<String, AttributeValue> item : page.items()) {
                if (!EventItems.isStub(item) && EventItems.seq(item) != head) {
                    pending.add(stubWrite(EventItems.stub(item)));
                    if (item.containsKey(EventBodyCodec.BODY_REF)) {
                        referencedIds.add(item.get(EventItems.EVENT_ID).s());
                    }
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        writeStubs(pending);
        return referencedIds;
    }

    /**
     * The large bodies of the events just stubbed: their archive lines hold them now, and no item
     * refers to them any more. One listing of the session's payloads (large bodies are few).
     */
    private void removePayloadsOf(StreamKey key, Set<String> eventIds) {
        if (eventIds.isEmpty()) {
            return;
        }
        for (String objectKey : payloads.keys(key)) {
            PayloadStore.Owner owner = payloads.owner(objectKey);
            if (owner != null && eventIds.contains(owner.eventId())) {
                payloads.delete(objectKey);
            }
        }
    }

    /** BatchWriteItem, a batch at a time (the crash point lets tests stop a run part way). */
    private void writeStubs(List<WriteRequest> stubs) {
        int batch = BatchWrites.MAX_REQUESTS;
        for (int from = 0; from < stubs.size(); from += batch) {
            BatchWrites.write(dynamo, table, new ArrayList<>(stubs.subList(from, Math.min(stubs.size(), from + batch))));
            if (from + batch >= 2 * batch) {
                crashPoints.reached("during-stubbing");
            }
        }
    }
}
