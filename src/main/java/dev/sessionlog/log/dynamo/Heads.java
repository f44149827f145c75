package dev.sessionlog.log.dynamo;

import dev.sessionlog.chain.ChainHash;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.SessionErasedException;
import dev.sessionlog.log.StreamKey;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * A session's newest item, read without its body: what appends link to and reads check first (is the
 * session there, is it being erased, is it a fork). One Query (or, at a known seq, one GetItem).
 */
final class Heads {

    private static final String PROJECTION = "seq, chain, erasing, lineage";

    private final DynamoDbClient ddb;
    private final String table;

    Heads(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    Head head(StreamKey key) {
        QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq > :zero")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":zero", EventItems.seqValue(0)))
                .scanIndexForward(false).limit(1).consistentRead(true).projectionExpression(PROJECTION)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        return r.items().isEmpty() ? Head.NONE : of(r.items().get(0));
    }

    /**
     * The head as a writer with expected_seq expects it: the item at that seq (what the next event
     * links to), or a head of seq -1 when there is no such item. Seq 0 is a new session's.
     */
    Head at(StreamKey key, long seq) {
        if (seq == 0) {
            return Head.NONE;
        }
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).key(EventItems.key(key, seq)).consistentRead(true)
                .projectionExpression(PROJECTION).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        return item == null || item.isEmpty() ? new Head(-1, null, Lineage.NONE, false) : of(item);
    }

    private static Head of(Map<String, AttributeValue> item) {
        AttributeValue chain = item.get(EventItems.CHAIN);
        AttributeValue lineage = item.get(EventItems.LINEAGE);
        AttributeValue erasing = item.get(EventItems.ERASING);
        return new Head(EventItems.seq(item), chain == null ? null : chain.s(),
                lineage == null ? Lineage.NONE : Lineage.fromJson(lineage.s()), erasing != null && Boolean.TRUE.equals(erasing.bool()));
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
        return null;
    }

    private String chainOf(StreamKey key, long seq) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).key(EventItems.key(key, seq)).consistentRead(true)
                .projectionExpression("chain").returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        return item == null || item.get(EventItems.CHAIN) == null ? null : item.get(EventItems.CHAIN).s();
    }
}
