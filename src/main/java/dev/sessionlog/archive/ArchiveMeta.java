package dev.sessionlog.archive;

import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.log.StreamKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * A session's archive state: a small item at seq 0 of the events table (no event is ever seq 0).
 * {@code archived_through} is the watermark: every seq at or below it is in S3; it only moves
 * forward, by conditional update. {@code archive_after} is the time of the oldest event above it,
 * in the sparse, sharded index {@value #DUE_INDEX}: a run reads the due sessions, not the table.
 */
public final class ArchiveMeta {

    public static final String DUE_INDEX = "archive_due";
    public static final int DUE_SHARDS = 8;
    static final String ARCHIVED_THROUGH = "archived_through";
    static final String STUBBED_THROUGH = "stubbed_through";
    static final String INDEXED_THROUGH = "indexed_through";
    static final String ARCHIVE_AFTER = "archive_after";
    static final String ARCHIVE_SHARD = "archive_shard";
    static final String SEGMENT_MAX_EVENTS = "segment_max_events";
    static final String LEASE_UNTIL = "lease_until";

    /** The state as read; zeros for a session that was never archived. */
    public record Meta(long archivedThrough, long stubbedThrough, long indexedThrough, int segmentMaxEvents) {
        static final Meta NONE = new Meta(0, 0, 0, 0);
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
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(key)).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        if (item == null || item.isEmpty()) {
            return Meta.NONE;
        }
        return new Meta(number(item, ARCHIVED_THROUGH), number(item, STUBBED_THROUGH), number(item, INDEXED_THROUGH),
                (int) number(item, SEGMENT_MAX_EVENTS));
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

    static String shard(StreamKey key) {
        return "due#" + Math.floorMod(key.pk().hashCode(), DUE_SHARDS);
    }

    /** Sessions whose oldest unarchived event is older than {@code cutoff}, from every shard. */
    public List<StreamKey> due(Instant cutoff, int limitPerShard) {
        List<StreamKey> keys = new java.util.ArrayList<>();
        String before = EventRecordJson.RECORDED_AT.format(cutoff);
        for (int shard = 0; shard < DUE_SHARDS; shard++) {
            String value = "due#" + shard;
            QueryResponse r = dynamo.query(b -> b.tableName(table).indexName(DUE_INDEX)
                    .keyConditionExpression("archive_shard = :s AND archive_after < :before")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(value), ":before", AttributeValue.fromS(before)))
                    .limit(limitPerShard).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            r.items().forEach(i -> keys.add(StreamKey.fromPk(i.get("pk").s())));
        }
        return keys;
    }

    /** Takes the session for one run; false when another run holds it. */
    public boolean acquireLease(StreamKey key, Instant now, Instant until) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("SET lease_until = :until")
                    .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(lease_until) OR lease_until < :now)")
                    .expressionAttributeValues(Map.of(":until", AttributeValue.fromN(Long.toString(until.toEpochMilli())),
                            ":now", AttributeValue.fromN(Long.toString(now.toEpochMilli()))))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            return true;
        } catch (ConditionalCheckFailedException held) {
            return false;
        }
    }

    /**
     * Moves the watermark from {@code from} to {@code to}, only if it is still at {@code from}.
     *
     * @throws ConditionalCheckFailedException when another run moved it
     */
    public void moveWatermark(StreamKey key, long from, long to, int segmentMaxEvents) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":to", AttributeValue.fromN(Long.toString(to)));
        values.put(":max", AttributeValue.fromN(Integer.toString(segmentMaxEvents)));
        String condition;
        if (from == 0) {
            condition = "attribute_not_exists(archived_through) OR archived_through = :from";
        } else {
            condition = "archived_through = :from";
        }
        values.put(":from", AttributeValue.fromN(Long.toString(from)));
        // segment_max_events only grows: readers find an object by listing from (seq - max events).
        dynamo.updateItem(b -> b.tableName(table).key(key(key))
                .updateExpression("SET archived_through = :to, segment_max_events = :max")
                .conditionExpression(condition + " AND (attribute_not_exists(segment_max_events) OR segment_max_events <= :max)")
                .expressionAttributeValues(values).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    public void markStubbed(StreamKey key, long through) {
        dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("SET stubbed_through = :t")
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromN(Long.toString(through))))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    /**
     * Ends a run: the session is due again at the time of its oldest unarchived event, or leaves
     * the due index when there is none (unless the recorder saw newer events meanwhile), and the
     * lease is released.
     */
    public void finish(StreamKey key, long watermark, Instant nextDueAt) {
        if (nextDueAt != null) {
            dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("SET archive_after = :at REMOVE lease_until")
                    .expressionAttributeValues(Map.of(":at", AttributeValue.fromS(EventRecordJson.RECORDED_AT.format(nextDueAt))))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            return;
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("REMOVE archive_after, lease_until")
                    .conditionExpression("attribute_not_exists(indexed_through) OR indexed_through <= :w")
                    .expressionAttributeValues(Map.of(":w", AttributeValue.fromN(Long.toString(watermark))))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        } catch (ConditionalCheckFailedException newerEvents) {
            // events above the watermark were folded meanwhile: stay due, and let the next run see them
            dynamo.updateItem(b -> b.tableName(table).key(key(key)).updateExpression("REMOVE lease_until")
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        }
    }
}
