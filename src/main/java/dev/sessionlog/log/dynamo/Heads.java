package dev.sessionlog.log.dynamo;

import dev.sessionlog.chain.ChainHash;
import dev.sessionlog.log.ArchivedBodies;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.SessionErasedException;
import dev.sessionlog.log.StoreBusyException;
import dev.sessionlog.log.RecordedThrough;
import dev.sessionlog.log.StreamKey;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * A session's head, read without bodies: what appends link to and reads check first (is the session
 * there, is it being erased, is it a fork). Usually one Query: the newest item, when it is an event
 * whose TTL has not passed. Otherwise (no event item left, or the newest has expired, so newer ones
 * may be gone) the state item's archive watermark says where the log really ends: events up to it
 * are in S3, with the chain value at it. Events the recorder saw above both (its session's
 * {@link RecordedThrough}, and the archive item's {@code indexed_through}, which versions before
 * this one moved at every save) that no item holds any more are being rescued into the archive from
 * their REMOVE records: an append waits for that (429) rather than reuse their seqs.
 */
final class Heads {

    private static final String PROJECTION = "seq, chain, erasing, lineage, event_id, expires_at, last_seq, last_chain, archived";
    /**
     * An item this close to its expiry is not taken for the head: TTL deletes items in any order, and
     * writers' clocks differ, so a newer item may be gone while this one is still there.
     */
    private static final java.time.Duration EXPIRY_MARGIN = java.time.Duration.ofHours(1);
    private static final String STATE_PROJECTION = "archived_through, archived_chain, indexed_through, lineage";

    private final DynamoDbClient ddb;
    private final String table;
    private final Clock clock;
    private final ArchivedBodies archived;
    private final RecordedThrough recorded;

    Heads(DynamoDbClient ddb, String table, Clock clock, ArchivedBodies archived) {
        this(ddb, table, clock, archived, RecordedThrough.NONE);
    }

    /** @param recorded asked only when no live item holds the head (TTL has been at the session's items) */
    Heads(DynamoDbClient ddb, String table, Clock clock, ArchivedBodies archived, RecordedThrough recorded) {
        this.recorded = recorded;
        this.archived = archived;
        this.ddb = ddb;
        this.table = table;
        this.clock = clock;
    }

    Head head(StreamKey key) {
        return tip(key, false).head();
    }

    /**
     * The head and the newest item when it holds it, with its events' ids (a pack's too): an append
     * with client ids needs not read again what the head read already paid for.
     */
    record Tip(Head head, Map<String, AttributeValue> item) {
    }

    Tip tip(StreamKey key) {
        return tip(key, true);
    }

    private Tip tip(StreamKey key, boolean withIds) {
        // DynamoDB charges a query by the size of the items it reads, not what it returns: the ids cost
        // nothing more, only their bytes on the wire.
        QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq > :zero")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":zero", EventItems.seqValue(0)))
                .scanIndexForward(false).limit(1).consistentRead(true)
                .projectionExpression(withIds ? "pk, " + PROJECTION + ", #pack" : PROJECTION)
                .expressionAttributeNames(withIds ? Map.of("#pack", EventItems.PACK) : null)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        Map<String, AttributeValue> newest = r.items().isEmpty() ? null : r.items().get(0);
        if (newest != null && (isErasing(newest) || isLiveEvent(newest))) {
            return new Tip(of(newest), newest.containsKey(EventItems.EVENT_ID) ? newest : null);
        }
        return new Tip(orArchived(key, newest), null);
    }

    /**
     * An event's own item, far from its expiry: it holds the head. A stub (a fork's copy of what it
     * inherited, or an archived event of versions before expiry) never expires, and an archive may
     * go on after it: the watermark and the recorder's progress tell.
     */
    private boolean isLiveEvent(Map<String, AttributeValue> item) {
        return item.containsKey(EventItems.EVENT_ID) && !EventItems.isStub(item)
                && !EventItems.hasExpired(item, clock.instant().plus(EXPIRY_MARGIN));
    }

    private static boolean isErasing(Map<String, AttributeValue> item) {
        AttributeValue erasing = item.get(EventItems.ERASING);
        return erasing != null && Boolean.TRUE.equals(erasing.bool());
    }

    /** The newest item (a fork's link, an expired event, or none) against the archive's watermark. */
    private Head orArchived(StreamKey key, Map<String, AttributeValue> newest) {
        Map<String, AttributeValue> state = ddb.getItem(b -> b.tableName(table).key(EventItems.key(key, 0)).consistentRead(true)
                .projectionExpression(STATE_PROJECTION).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        long archived = number(state, EventItems.ARCHIVED_THROUGH);
        // A session the recorder folded has an archive item (its first batch made it, before its save):
        // without one (a new session) there is no progress to ask for.
        long indexed = state == null || state.isEmpty() ? 0 : Math.max(number(state, EventItems.INDEXED_THROUGH), recorded.of(key));
        Head head;
        if (newest != null && EventItems.lastSeq(newest) >= archived) {
            head = of(newest);
        } else if (archived > 0) {
            AttributeValue chain = state.get(EventItems.ARCHIVED_CHAIN);
            AttributeValue lineage = newest != null && newest.get(EventItems.LINEAGE) != null ? newest.get(EventItems.LINEAGE)
                    : state.get(EventItems.LINEAGE);
            head = new Head(archived, chain == null || chain.nul() != null ? null : chain.s(),
                    lineage == null ? Lineage.NONE : Lineage.fromJson(lineage.s()), false, 0);
        } else {
            head = Head.NONE;
        }
        if (indexed > head.seq()) {
            throw new StoreBusyException("events " + (head.seq() + 1) + ".." + indexed + " of session " + key.sessionId()
                    + " expired before they were archived and are being written to the archive; retry shortly", 5, null);
        }
        return head;
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item == null ? null : item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    /**
     * The head as a writer with expected_seq expects it: the item at that seq (what the next event
     * links to), or a head of seq -1 when there is no such item. Seq 0 is a new session's. An item
     * TTL has deleted is looked for as the head itself (from the archive).
     */
    Head at(StreamKey key, long seq) {
        if (seq == 0) {
            return Head.NONE;
        }
        Map<String, AttributeValue> item = holding(key, seq, PROJECTION);
        if (item == null) {
            Head head = head(key);
            return head.seq() == seq && !head.itemHeld() ? head : new Head(-1, null, Lineage.NONE, false);
        }
        if (item.containsKey(EventItems.EVENT_ID) && !isLiveEvent(item)) {
            // expiring, or a stub: newer items may be gone, so the head is read as a new writer reads it
            Head head = head(key);
            return head.seq() == seq ? head : new Head(-1, null, Lineage.NONE, false);
        }
        // Inside a pack, the seq is not the head: events of the same request follow it.
        return EventItems.lastSeq(item) == seq ? of(item) : new Head(-1, null, Lineage.NONE, false);
    }

    /**
     * The item that holds a seq: the item at it, or the pack that starts before it and reaches it
     * (one Query, the newest item at or below the seq); null when no item holds it.
     */
    Map<String, AttributeValue> holding(StreamKey key, long seq, String projection) {
        QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq BETWEEN :one AND :seq")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":one", EventItems.seqValue(1),
                        ":seq", EventItems.seqValue(seq)))
                .scanIndexForward(false).limit(1).consistentRead(true).projectionExpression(projection)
                .expressionAttributeNames(projection.contains("#pack") ? Map.of("#pack", EventItems.PACK) : null)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        Map<String, AttributeValue> item = r.items().isEmpty() ? null : r.items().get(0);
        return item == null || EventItems.lastSeq(item) < seq ? null : item;
    }

    private static Head of(Map<String, AttributeValue> item) {
        AttributeValue lineage = item.get(EventItems.LINEAGE);
        return new Head(EventItems.lastSeq(item), EventItems.lastChain(item),
                lineage == null ? Lineage.NONE : Lineage.fromJson(lineage.s()), isErasing(item), EventItems.seq(item));
    }

    /** @throws SessionErasedException when the session had been erased (its id has a tombstone) */
    void requireNotErased(StreamKey key) {
        if (isErased(key)) {
            throw new SessionErasedException(key);
        }
    }

    boolean isErased(StreamKey key) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).key(Tombstones.key(key)).consistentRead(true)
                .projectionExpression("pk").returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        return item != null && !item.isEmpty();
    }

    /**
     * The chain value at a seq: from the session's own item, or, for a fork's inherited seq, from the
     * item of the session it was inherited from (a fork shares its source's chain up to its fork seq).
     */
    String chainAt(StreamKey key, long seq, Lineage lineage) {
        if (seq == 0) {
            return ChainHash.GENESIS;
        }
        String own = chainOf(key, seq);
        if (own != null) {
            return own;
        }
        for (Lineage.Ancestor a : lineage.ancestors()) {
            if (seq <= a.throughSeq()) {
                String inherited = chainOf(new StreamKey(key.tenant(), a.sessionId()), seq);
                if (inherited != null) {
                    return inherited;
                }
            }
        }
        // The item is gone (TTL): the archive has the event, in this session's objects or an ancestor's.
        String fromArchive = archived.chain(key, seq);
        if (fromArchive != null) {
            return fromArchive;
        }
        for (Lineage.Ancestor a : lineage.ancestors()) {
            if (seq <= a.throughSeq()) {
                String inherited = archived.chain(new StreamKey(key.tenant(), a.sessionId()), seq);
                if (inherited != null) {
                    return inherited;
                }
            }
        }
        return null;
    }

    private String chainOf(StreamKey key, long seq) {
        Map<String, AttributeValue> item = holding(key, seq, "pk, seq, chain, last_seq, #pack");
        if (item == null) {
            return null;
        }
        for (Map<String, AttributeValue> event : EventItems.expand(item)) {
            if (EventItems.seq(event) == seq && event.get(EventItems.CHAIN) != null) {
                return event.get(EventItems.CHAIN).s();
            }
        }
        return null;
    }
}
