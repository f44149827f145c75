package dev.sessionlog.log.dynamo;

import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.log.IoPool;
import dev.sessionlog.log.StreamKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The events table as an erasure works on it: the marks of sessions to erase (from their sharded
 * index, never a scan), a lease on a mark, a source's registry of its forks, stubs of a fork's copy,
 * the deletion of a partition, and the tombstone that stays.
 */
public final class EventPartitions {

    /** The erasure's lease, on the session's erase mark. */
    private static final ItemLease ERASE_LEASE = new ItemLease("erase_lease_until", "erase_owner");

    /** DynamoDB's limit of requests in one BatchWriteItem. */
    static final int BATCH_WRITE = BatchWrites.MAX_REQUESTS;

    /** A session marked for erasure: its mark's seq and when the mark was made. */
    public record Marked(StreamKey key, long markSeq, Instant markedAt) {
        /** The session's last seq before the mark. */
        public long lastSeq() {
            return markSeq - 1;
        }
    }

    /** A fork registered in its source: the fork's id and the seq it was made at. */
    public record RegisteredFork(String sessionId, long forkSeq) {
    }

    private final DynamoDbClient ddb;
    private final String table;

    public EventPartitions(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    /** Marks made before {@code before}, from every shard of the erasure index. */
    public List<Marked> marked(Instant before, int limitPerShard) {
        List<Marked> marks = new ArrayList<>();
        String cutoff = EventRecordJson.RECORDED_AT.format(before);
        for (int shard = 0; shard < DynamoLifecycle.ERASE_SHARDS; shard++) {
            String value = "erase#" + shard;
            QueryResponse r = ddb.query(b -> b.tableName(table).indexName(EventItems.ERASE_DUE)
                    .keyConditionExpression("erase_shard = :s AND erase_at < :before")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(value), ":before", AttributeValue.fromS(cutoff)))
                    .limit(limitPerShard).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            for (Map<String, AttributeValue> item : r.items()) {
                marks.add(new Marked(StreamKey.fromPk(item.get(EventItems.PK).s()), EventItems.seq(item),
                        Instant.parse(item.get(EventItems.ERASE_AT).s())));
            }
        }
        return marks;
    }

    /** Takes the erasure of a session for one run (the mark holds the lease); false when another run has it. */
    public boolean lease(Marked mark, Instant now, Instant until, String owner) {
        return ERASE_LEASE.take(ddb, table, EventItems.key(mark.key(), mark.markSeq()), "attribute_exists(pk) AND ", now, until, owner);
    }

    /** The forks made of a session, from its registry items (negative seqs). */
    public List<RegisteredFork> forks(StreamKey source) {
        List<RegisteredFork> forks = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            // Registry items only: children's links lie below them.
            QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq BETWEEN :lo AND :hi")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(source.pk()),
                            ":lo", EventItems.seqValue(EventItems.LINK_BASE + 1), ":hi", EventItems.seqValue(-1)))
                    .consistentRead(true).exclusiveStartKey(from).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            for (Map<String, AttributeValue> item : r.items()) {
                if (item.containsKey(EventItems.FORKED_TO)) {
                    forks.add(new RegisteredFork(item.get(EventItems.FORKED_TO).s(),
                            Long.parseLong(item.get(EventItems.FORK_SEQ).n())));
                }
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return forks;
    }

    /** Removes a fork's entry from its source's registry: the source then names the fork no more. */
    public void unregisterFork(StreamKey source, String forkSessionId) {
        ddb.deleteItem(b -> b.tableName(table).key(EventItems.key(source, DynamoLifecycle.registrySeq(forkSessionId)))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    /**
     * Writes stubs of records into a fork's partition: its own copy of what it inherited, whose bodies
     * are in its own archive objects. The items at the fork's link and floor become stubs too (a
     * stub there keeps the head's chain and holds seq 1 as the floor did).
     */
    public void writeStubs(StreamKey fork, List<EventRecord> records, List<Integer> bodySizes) {
        List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder()
                    .item(EventItems.stub(fork, records.get(i), bodySizes.get(i))).build()).build());
        }
        writeAll(writes);
    }

    /**
     * Deletes every item of the session's partition except its erasure mark, at most {@code maxItems}
     * of them in this call; returns how many it deleted (0 when none is left).
     */
    public int deletePartition(StreamKey key, long markSeq, int maxItems) {
        List<WriteRequest> deletes = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk())))
                    .projectionExpression("pk, seq").consistentRead(true).exclusiveStartKey(from)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            for (Map<String, AttributeValue> item : r.items()) {
                if (EventItems.seq(item) != markSeq && deletes.size() < maxItems) {
                    deletes.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(item).build()).build());
                }
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() && deletes.size() < maxItems
                    ? r.lastEvaluatedKey() : null;
        } while (start != null);
        writeAll(deletes);
        return deletes.size();
    }

    /** The tombstone of an erased session: a hash of its key, the time, its last seq and chain value. */
    public void putTombstone(StreamKey key, Instant at, long lastSeq, String lastChain) {
        Map<String, AttributeValue> item = new HashMap<>(Tombstones.key(key));
        item.put(Tombstones.ERASED_AT, AttributeValue.fromS(EventRecordJson.RECORDED_AT.format(at)));
        item.put(Tombstones.LAST_SEQ, AttributeValue.fromN(Long.toString(lastSeq)));
        if (lastChain != null) {
            item.put(Tombstones.LAST_CHAIN, AttributeValue.fromS(lastChain));
        }
        ddb.putItem(b -> b.tableName(table).item(item).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    /** The chain value of the session's last record, as its mark keeps it (null for records without one). */
    public String erasedChain(Marked mark) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).key(EventItems.key(mark.key(), mark.markSeq()))
                .consistentRead(true).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        AttributeValue chain = item == null ? null : item.get(EventItems.ERASED_CHAIN);
        return chain == null ? null : chain.s();
    }

    /**
     * Moves a mark behind the others: its erasure ran out of its share of a run, and the sessions
     * marked before {@code at} go first in the next (the runs take marks oldest first).
     */
    public void requeue(Marked mark, Instant at) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(EventItems.key(mark.key(), mark.markSeq()))
                    .updateExpression("SET " + EventItems.ERASE_AT + " = :at").conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":at", AttributeValue.fromS(EventRecordJson.RECORDED_AT.format(at))))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        } catch (ConditionalCheckFailedException erased) {
            // finished meanwhile by another run
        }
    }

    /** Gives up the erasure's lease (a run that must wait for something else lets the next run in). */
    public void release(Marked mark, String owner) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(EventItems.key(mark.key(), mark.markSeq()))
                    .updateExpression("REMOVE erase_lease_until, erase_owner").conditionExpression("erase_owner = :o")
                    .expressionAttributeValues(Map.of(":o", AttributeValue.fromS(owner)))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        } catch (ConditionalCheckFailedException notOurs) {
            // another run holds it now
        }
    }

    /** Removes the mark: the last step of an erasure (the tombstone answers from then on). */
    public void removeMark(Marked mark) {
        ddb.deleteItem(b -> b.tableName(table).key(EventItems.key(mark.key(), mark.markSeq()))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    /** BatchWriteItem, 25 requests each, the batches concurrently; unprocessed requests go again. */
    private void writeAll(List<WriteRequest> writes) {
        List<CompletableFuture<Void>> batches = new ArrayList<>();
        for (int from = 0; from < writes.size(); from += BATCH_WRITE) {
            List<WriteRequest> batch = writes.subList(from, Math.min(writes.size(), from + BATCH_WRITE));
            batches.add(IoPool.supply(() -> {
                BatchWrites.write(ddb, table, batch);
                return null;
            }));
        }
        batches.forEach(IoPool::join);
    }
}
