package dev.sessionlog.archive;

import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.log.dynamo.ItemLease;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * A session's archive state: a small item at seq 0 of the events table (no event is ever seq 0).
 * {@code archived_through} is the watermark: every seq at or below it is in S3; it only moves
 * forward, by conditional update. {@code archive_after} is the time of the oldest event above it,
 * in the sparse, sharded index {@value #DUE_INDEX}: a run reads the due sessions, not the table.
 */
public final class ArchiveMeta {

    public static final String DUE_INDEX = "archive_due";
    public static final int DUE_SHARDS = 8;
    static final String ARCHIVED_THROUGH = EventItems.ARCHIVED_THROUGH;
    static final String STUBBED_THROUGH = EventItems.STUBBED_THROUGH;
    static final String INDEXED_THROUGH = EventItems.INDEXED_THROUGH;
    static final String ARCHIVE_AFTER = "archive_after";
    static final String ARCHIVE_SHARD = "archive_shard";
    static final String SEGMENT_MAX_EVENTS = "segment_max_events";
    static final String LEASE_UNTIL = "lease_until";
    static final String LEASE_OWNER = "lease_owner";
    private static final ItemLease LEASE = new ItemLease(LEASE_UNTIL, LEASE_OWNER);

    /**
     * The state as read; zeros for a session that was never archived.
     *
     * @param forkedFrom      the session this one was forked from, or null
     * @param forkSeq         the seq it was forked at (its events up to there are the source's)
     * @param inheritedCopied the fork holds its own copy of what it inherited (its source was erased)
     * @param copy            how far a copy of what it inherited has come, across erasure runs
     * @param oldestUnarchivedAt when the oldest event above the watermark was recorded (archive_after), or null
     */
    public record Meta(long archivedThrough, long stubbedThrough, long indexedThrough, int segmentMaxEvents,
                       String forkedFrom, long forkSeq, String forkedAt, boolean inheritedCopied, Lineage lineage,
                       InheritedCopy copy, Instant oldestUnarchivedAt) {
        static final Meta NONE = new Meta(0, 0, 0, 0, null, 0, null, false, Lineage.NONE, InheritedCopy.NONE, null);

        public boolean isFork() {
            return forkedFrom != null;
        }

        /** The fork's events up to the fork seq are read from its source. */
        public boolean readsFromSource() {
            return forkedFrom != null && !inheritedCopied;
        }
    }

    public static final String FORKED_FROM = EventItems.FORKED_FROM;
    public static final String FORKED_AT = EventItems.FORKED_AT;
    public static final String INHERITED_COPIED = "inherited_copied";
    static final String COPIED_THROUGH = "inherited_copied_through";
    static final String COPY_SEGMENT_EVENTS = "inherited_copy_segment_events";

    /**
     * A copy of a fork's inherited events in progress: through which seq it is written, in objects of
     * how many events (kept, so that a run resuming it cuts the objects as the first run did).
     */
    public record InheritedCopy(long copiedThrough, int segmentMaxEvents) {
        public static final InheritedCopy NONE = new InheritedCopy(0, 0);
    }

    private final DynamoDbClient dynamo;
    private final String table;

    public ArchiveMeta(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(StreamKey key) {
        return Map.of("pk", AttributeValue.fromS(key.pk()), "seq", AttributeValue.fromN("0"));
    }

    public Meta load(StreamKey key) {
        return meta(dynamo.getItem(b -> b.tableName(table).key(key(key)).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item());
    }

    private static Meta meta(Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return Meta.NONE;
        }
        AttributeValue from = item.get(FORKED_FROM);
        AttributeValue at = item.get(FORKED_AT);
        AttributeValue copied = item.get(INHERITED_COPIED);
        return new Meta(number(item, ARCHIVED_THROUGH), number(item, STUBBED_THROUGH), number(item, INDEXED_THROUGH),
                (int) number(item, SEGMENT_MAX_EVENTS), from == null ? null : from.s(), number(item, EventItems.FORK_SEQ),
                at == null ? null : at.s(), copied != null && Boolean.TRUE.equals(copied.bool()),
                item.get(EventItems.LINEAGE) == null ? Lineage.NONE : Lineage.fromJson(item.get(EventItems.LINEAGE).s()),
                new InheritedCopy(number(item, COPIED_THROUGH), (int) number(item, COPY_SEGMENT_EVENTS)),
                item.get(ARCHIVE_AFTER) == null ? null : Instant.from(EventRecordJson.RECORDED_AT.parse(item.get(ARCHIVE_AFTER).s())));
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? 0 : Long.parseLong(v.n());
    }

    /**
     * The recorder's note that events up to {@code foldedThrough} exist, the oldest of them new
     * since the last archival at {@code firstNewEventAt}: it puts the session on the due index.
     */
    public void markIndexed(StreamKey key, long foldedThrough, Instant firstNewEventAt) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(key))
                    .updateExpression("SET archive_shard = :shard, archive_after = if_not_exists(archive_after, :at), indexed_through = :n")
                    .conditionExpression("attribute_not_exists(indexed_through) OR indexed_through < :n")
                    .expressionAttributeValues(Map.of(":shard", AttributeValue.fromS(shard(key)),
                            ":at", AttributeValue.fromS(EventRecordJson.RECORDED_AT.format(firstNewEventAt)),
                            ":n", AttributeValue.fromN(Long.toString(foldedThrough))))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        } catch (ConditionalCheckFailedException newerAlready) {
            // a later fold of the session marked it already
        }
    }

    /**
     * Whether a session whose events up to one recorded at {@code newestMarkedAt} are known to be on
     * the due index is still on it at {@code now}, so that the recorder may leave its new events
     * unmarked (one write a batch, not two). A run takes a session off the index only when no hot
     * item is left above its watermark, and it archives an event only once the event is older than
     * the hot window: until then every event written meanwhile keeps the session due. Half the
     * window is the margin for clocks.
     */
    public static boolean certainlyDue(Instant newestMarkedAt, Instant now, java.time.Duration hotWindow) {
        return newestMarkedAt != null && now.isBefore(newestMarkedAt.plus(hotWindow.dividedBy(2)));
    }

    static String shard(StreamKey key) {
        return "due#" + Math.floorMod(key.pk().hashCode(), DUE_SHARDS);
    }

    /** Sessions whose oldest unarchived event is older than {@code cutoff}, from every shard. */
    public List<StreamKey> due(Instant cutoff, int limitPerShard) {
        return dueSessions(cutoff, limitPerShard).stream().map(DueSession::key).toList();
    }

    /** A session with events to archive, and the time of its oldest one not archived. */
    public record DueSession(StreamKey key, Instant oldestEventAt) {
    }

    /** The due sessions, oldest first within each shard (the index is ordered by archive_after). */
    public List<DueSession> dueSessions(Instant cutoff, int limitPerShard) {
        List<DueSession> keys = new java.util.ArrayList<>();
        String before = EventRecordJson.RECORDED_AT.format(cutoff);
        for (int shard = 0; shard < DUE_SHARDS; shard++) {
            String value = "due#" + shard;
            QueryResponse r = dynamo.query(b -> b.tableName(table).indexName(DUE_INDEX)
                    .keyConditionExpression("archive_shard = :s AND archive_after < :before")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(value), ":before", AttributeValue.fromS(before)))
                    .limit(limitPerShard).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            r.items().forEach(i -> keys.add(new DueSession(StreamKey.fromPk(i.get("pk").s()),
                    Instant.from(EventRecordJson.RECORDED_AT.parse(i.get(ARCHIVE_AFTER).s())))));
        }
        return keys;
    }

    /**
     * Takes the session for one run, named {@code owner}; false when another run holds it. A lost
     * answer retried by the SDK finds the lease already ours: that is success too.
     */
    public boolean acquireLease(StreamKey key, Instant now, Instant until, String owner) {
        return takeLease(key, now, until, owner, "attribute_exists(pk) AND ");
    }

    /**
     * A lease taken for a run, with the state as it was when taken.
     *
     * @param leftByARunThatStopped the previous lease was never released: its run died or was cut
     *                              short, and may have written objects above the watermark
     */
    public record Taken(Meta meta, boolean leftByARunThatStopped) {
    }

    /**
     * Takes the session for one run, as {@link #acquireLease}, reading its state in the same call;
     * empty when another run holds it.
     */
    public java.util.Optional<Taken> take(StreamKey key, Instant now, Instant until, String owner) {
        Map<String, AttributeValue> before = LEASE.takeReading(dynamo, table, key(key), "attribute_exists(pk) AND ", now, until, owner);
        if (before == null) {
            return java.util.Optional.empty();
        }
        AttributeValue previousOwner = before.get(LEASE_OWNER);
        // An SDK retry of this very take finds its own lease: that is no stopped run.
        return java.util.Optional.of(new Taken(meta(before), previousOwner != null && !owner.equals(previousOwner.s())));
    }

    private boolean takeLease(StreamKey key, Instant now, Instant until, String owner, String precondition) {
        return LEASE.take(dynamo, table, key(key), precondition, now, until, owner);
    }

    /**
     * Moves the watermark from {@code from} to {@code to}, only if it is still at {@code from}.
     *
     * @throws ConditionalCheckFailedException when another run moved it
     */
    public void moveWatermark(StreamKey key, long from, long to, String chainAtTo, int segmentMaxEvents, String owner) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":to", AttributeValue.fromN(Long.toString(to)));
        // The chain value at the watermark: what the next event links to once TTL has deleted the items.
        values.put(":chain", chainAtTo == null ? AttributeValue.fromNul(true) : AttributeValue.fromS(chainAtTo));
        values.put(":max", AttributeValue.fromN(Integer.toString(segmentMaxEvents)));
        values.put(":o", AttributeValue.fromS(owner));
        String condition;
        if (from == 0) {
            condition = "(attribute_not_exists(archived_through) OR archived_through = :from)";
        } else {
            condition = "archived_through = :from";
        }
        values.put(":from", AttributeValue.fromN(Long.toString(from)));
        // segment_max_events only grows: readers find an object by listing from (seq - max events).
        // The condition names the lease's owner: a run whose lease was taken over moves nothing.
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(key))
                    .updateExpression("SET archived_through = :to, archived_chain = :chain, segment_max_events = :max")
                    .conditionExpression(condition + " AND lease_owner = :o"
                            + " AND (attribute_not_exists(segment_max_events) OR segment_max_events <= :max)")
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        } catch (ConditionalCheckFailedException failed) {
            // A lost answer retried by the SDK finds the watermark already where this run put it.
            Map<String, AttributeValue> now = failed.item();
            boolean ours = now != null && now.get(ARCHIVED_THROUGH) != null && Long.parseLong(now.get(ARCHIVED_THROUGH).n()) == to
                    && now.get(LEASE_OWNER) != null && owner.equals(now.get(LEASE_OWNER).s());
            if (!ours) {
                throw failed;
            }
        }
    }

    /**
     * Takes a session for its erasure: the archive lease, made even when the session was never archived
     * (the item goes with the rest of the partition). False when an archival run holds it.
     */
    public boolean acquireForErasure(StreamKey key, Instant now, Instant until, String owner) {
        return takeLease(key, now, until, owner, "");
    }

    /** Releases a lease this owner holds, leaving everything else as it is. */
    public void release(StreamKey key, String owner) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("REMOVE lease_until, lease_owner")
                    .conditionExpression("lease_owner = :o").expressionAttributeValues(Map.of(":o", AttributeValue.fromS(owner)))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        } catch (ConditionalCheckFailedException notOurs) {
            // taken over meanwhile
        }
    }

    /**
     * Records that a fork holds its own copy of what it inherited (its source is being erased): from
     * then on its seqs from 1 are read from its own archive, whose objects hold up to {@code maxEvents}.
     */
    public void markInheritedCopied(StreamKey fork, int maxEvents) {
        dynamo.updateItem(b -> b.tableName(table).key(key(fork))
                .updateExpression("SET inherited_copied = :t, segment_max_events = :max")
                .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(segment_max_events) OR segment_max_events <= :max)")
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true),
                        ":max", AttributeValue.fromN(Integer.toString(maxEvents))))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    /**
     * Records how far a fork's copy of what it inherited is written, under the fork's lease: the next
     * erasure run goes on after {@code through}, in objects of {@code segmentMaxEvents}.
     */
    public void markCopiedThrough(StreamKey fork, long through, int segmentMaxEvents, String owner) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(fork))
                    .updateExpression("SET " + COPIED_THROUGH + " = :t, " + COPY_SEGMENT_EVENTS + " = :max")
                    .conditionExpression("lease_owner = :o")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromN(Long.toString(through)),
                            ":max", AttributeValue.fromN(Integer.toString(segmentMaxEvents)), ":o", AttributeValue.fromS(owner)))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        } catch (ConditionalCheckFailedException notOurs) {
            throw new LeaseLostException(fork);
        }
    }

    /** The run's lease was taken over (it ran out): the run stops touching the session. */
    public static final class LeaseLostException extends RuntimeException {
        LeaseLostException(StreamKey key) {
            super("the archive lease of session " + key.sessionId() + " is no longer this run's");
        }
    }

    /**
     * Ends a run: the session is due again at the time of its oldest unarchived event, or leaves
     * the due index when there is none (unless the recorder saw newer events meanwhile), and the
     * lease is released.
     */
    public void finish(StreamKey key, long watermark, Instant nextDueAt, String owner) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":o", AttributeValue.fromS(owner));
        try {
            if (nextDueAt != null) {
                values.put(":at", AttributeValue.fromS(EventRecordJson.RECORDED_AT.format(nextDueAt)));
                dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("SET archive_after = :at REMOVE lease_until, lease_owner")
                        .conditionExpression("lease_owner = :o").expressionAttributeValues(values)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                return;
            }
            values.put(":w", AttributeValue.fromN(Long.toString(watermark)));
            try {
                dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("REMOVE archive_after, lease_until, lease_owner")
                        .conditionExpression("lease_owner = :o AND (attribute_not_exists(indexed_through) OR indexed_through <= :w)")
                        .expressionAttributeValues(values).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            } catch (ConditionalCheckFailedException newerEventsOrNotOurs) {
                // events above the watermark were folded meanwhile: stay due, and let the next run see them
                values.remove(":w");
                dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("REMOVE lease_until, lease_owner")
                        .conditionExpression("lease_owner = :o").expressionAttributeValues(values)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            }
        } catch (ConditionalCheckFailedException notOurs) {
            // the lease ran out and another run holds it now: leave it alone
        }
    }
}
