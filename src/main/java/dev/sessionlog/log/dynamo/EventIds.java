package dev.sessionlog.log.dynamo;

import dev.sessionlog.log.IoPool;
import dev.sessionlog.log.StreamKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * Finds a session's events by id. The local index {@value EventItems#BY_EVENT_ID} has one entry per
 * item, under its first event's id: a request's events written as one pack cost one entry, not one
 * each. So an id is found when it is the first of its item, or inside the item whose first id is the
 * next lower one in the index: the one that holds it whenever a session's ids increase with its seqs
 * (ULIDs, UUIDv7, the clients' ids). A retry of a stored request is always found by its first id.
 */
final class EventIds {

    private static final String PACK_PROJECTION = "pk, seq, event_id, #pack";

    private final DynamoDbClient ddb;
    private final String table;

    EventIds(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    /**
     * The seqs of those ids the session holds at or below {@code throughSeq}.
     *
     * @param known an item already read with its ids (the newest, by the head's read), or null
     */
    Map<String, Long> find(StreamKey key, List<String> ids, long throughSeq, Map<String, AttributeValue> known) {
        List<String> sorted = ids.stream().distinct().sorted().toList();
        if (sorted.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> found = new HashMap<>();
        Set<Long> packs = new TreeSet<>();
        if (sorted.size() == 1) {
            // one id: the entry at it, or else the one below it, in one read
            Map<String, AttributeValue> entry = atOrBelow(key, sorted.get(0));
            if (entry != null) {
                packs.add(EventItems.seq(entry));
            }
        } else {
            // The entries from the highest id down, through the first below the lowest: one read for
            // ids that sort as they are made (the range holds the request's own entries, if stored).
            String lo = sorted.get(0);
            QueryResponse r = ddb.query(idQuery().keyConditionExpression("pk = :pk AND event_id <= :hi")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()),
                            ":hi", AttributeValue.fromS(sorted.get(sorted.size() - 1))))
                    .scanIndexForward(false).limit(sorted.size() + 2).build());
            Set<String> wanted = new HashSet<>(sorted);
            boolean reachedBelow = false;
            for (Map<String, AttributeValue> entry : r.items()) {
                String id = entry.get(EventItems.EVENT_ID).s();
                if (id.compareTo(lo) < 0) {
                    reachedBelow = true;
                    if (!found.containsKey(lo)) {
                        packs.add(EventItems.seq(entry)); // the item that may hold the lowest ids
                    }
                    break;
                }
                if (wanted.contains(id)) {
                    found.put(id, EventItems.seq(entry));
                    packs.add(EventItems.seq(entry));
                }
            }
            boolean more = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty();
            if (!reachedBelow && more) {
                // Unordered ids spread over a long session's index: each looked up, and the entry below the lowest.
                indexed(key, sorted).forEach((id, itemSeq) -> {
                    found.put(id, itemSeq);
                    packs.add(itemSeq);
                });
                Map<String, AttributeValue> below = found.containsKey(lo) ? null : atOrBelow(key, lo);
                if (below != null) {
                    packs.add(EventItems.seq(below));
                }
            }
        }
        // The items that may be packs: every id of theirs that was asked for is found there.
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        if (known != null && packs.remove(EventItems.seq(known))) {
            items.add(known);
        }
        items.addAll(items(key, packs));
        found.putAll(in(items, sorted));
        found.values().removeIf(seq -> seq > throughSeq);
        return found;
    }

    /** The seqs of those ids that these items hold. */
    static Map<String, Long> in(List<Map<String, AttributeValue>> items, List<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        Map<String, Long> found = new HashMap<>();
        for (Map<String, AttributeValue> item : items) {
            for (Map<String, AttributeValue> event : EventItems.expand(item)) {
                String id = event.get(EventItems.EVENT_ID).s();
                if (wanted.contains(id)) {
                    found.put(id, EventItems.seq(event));
                }
            }
        }
        return found;
    }

    /**
     * The seqs of those ids in the items written after {@code afterSeq} up to the head: what a writer
     * that lost a race checks again (one range read of what the winners wrote, not the index).
     */
    Map<String, Long> since(StreamKey key, List<String> ids, long afterSeq, long headSeq) {
        if (headSeq <= afterSeq) {
            return Map.of();
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq BETWEEN :lo AND :hi")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()),
                            ":lo", EventItems.seqValue(afterSeq + 1), ":hi", EventItems.seqValue(headSeq)))
                    .projectionExpression(PACK_PROJECTION).expressionAttributeNames(Map.of("#pack", EventItems.PACK))
                    .consistentRead(true).exclusiveStartKey(from).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            r.items().stream().filter(item -> item.containsKey(EventItems.EVENT_ID)).forEach(items::add);
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return in(items, ids);
    }

    /** The ids that are index keys, and the seqs of their items: one lookup each, all at once. */
    private Map<String, Long> indexed(StreamKey key, List<String> ids) {
        Map<String, Long> found = new HashMap<>();
        // Unordered ids (random UUIDs) spread over the index: one lookup each, all at once.
        List<CompletableFuture<Map.Entry<String, Long>>> lookups = ids.stream().map(id -> IoPool.supply(() -> {
            QueryResponse one = ddb.query(idQuery().keyConditionExpression("pk = :pk AND event_id = :id")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":id", AttributeValue.fromS(id)))
                    .build());
            return one.items().isEmpty() ? null : Map.entry(id, EventItems.seq(one.items().get(0)));
        })).toList();
        for (CompletableFuture<Map.Entry<String, Long>> lookup : lookups) {
            Map.Entry<String, Long> hit = IoPool.join(lookup);
            if (hit != null) {
                found.put(hit.getKey(), hit.getValue());
            }
        }
        return found;
    }

    /** The index entry of {@code id}, or else the next one below it (the item that may hold it), or null. */
    private Map<String, AttributeValue> atOrBelow(StreamKey key, String id) {
        QueryResponse r = ddb.query(idQuery().keyConditionExpression("pk = :pk AND event_id <= :id")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":id", AttributeValue.fromS(id)))
                .scanIndexForward(false).limit(1).build());
        return r.items().isEmpty() ? null : r.items().get(0);
    }

    /** The items at these seqs that hold events: one consistent GetItem each, all at once (usually one or two). */
    private List<Map<String, AttributeValue>> items(StreamKey key, Set<Long> seqs) {
        List<CompletableFuture<Map<String, AttributeValue>>> reads = seqs.stream().map(seq -> IoPool.supply(() ->
                ddb.getItem(b -> b.tableName(table).key(EventItems.key(key, seq)).consistentRead(true)
                        .projectionExpression(PACK_PROJECTION).expressionAttributeNames(Map.of("#pack", EventItems.PACK))
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item())).toList();
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        for (CompletableFuture<Map<String, AttributeValue>> read : reads) {
            Map<String, AttributeValue> item = IoPool.join(read);
            // An item without an id (a fork's link, an erasure's mark) holds no event.
            if (item != null && item.containsKey(EventItems.EVENT_ID)) {
                found.add(item);
            }
        }
        return found;
    }

    private QueryRequest.Builder idQuery() {
        return QueryRequest.builder().tableName(table).indexName(EventItems.BY_EVENT_ID).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
    }
}
