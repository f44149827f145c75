package dev.sessionlog.log.dynamo;

import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.log.EraseRequest;
import dev.sessionlog.log.ForkResult;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.SessionErasedException;
import dev.sessionlog.log.SessionExistsException;
import dev.sessionlog.log.SessionMissingException;
import dev.sessionlog.log.StoreBusyException;
import dev.sessionlog.log.StreamKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * A session's life on the log beyond appends: forks and the mark of an erasure.
 *
 * <p>A fork copies nothing. One transaction writes into the new session's partition its state item
 * (seq 0: where it came from), its link (at the fork seq: the source's chain value there, which the
 * fork's first own event links to, and which appends find as the head) and its floor (at seq 1, so
 * that a writer who still thinks the session is new cannot start it), and into the source's
 * partition a registry item (at a negative seq, which no read of events reaches) that erasure finds
 * its forks by. Five store calls, however long the source and wherever its events live.
 *
 * <p>An erasure mark is an item just after the session's head: no event can be written after it
 * (the appends' own condition), and every read sees it first.
 */
final class DynamoLifecycle {

    /** Erasures are spread over the index's partitions like archival's. */
    static final int ERASE_SHARDS = 8;
    private static final int MAX_ATTEMPTS = 20;

    private final DynamoDbClient ddb;
    private final String table;
    private final Clock clock;
    private final Heads heads;

    DynamoLifecycle(DynamoDbClient ddb, String table, Clock clock, Heads heads) {
        this.ddb = ddb;
        this.table = table;
        this.clock = clock;
        this.heads = heads;
    }

    ForkResult fork(StreamKey source, String newSessionId, Long atSeqOrHead) {
        StreamKey fork = new StreamKey(source.tenant(), newSessionId);
        for (int attempt = 1; ; attempt++) {
            Head sourceHead = heads.head(source);
            if (!sourceHead.exists()) {
                throw new SessionMissingException(source);
            }
            if (sourceHead.lineage().ancestors().size() >= dev.sessionlog.event.Limits.MAX_FORK_DEPTH) {
                throw new dev.sessionlog.event.InvalidRequestException("\"" + source.sessionId() + "\" is a fork "
                        + sourceHead.lineage().ancestors().size() + " levels deep: forks may go at most "
                        + dev.sessionlog.event.Limits.MAX_FORK_DEPTH + " levels deep (fork one of its ancestors instead)");
            }
            long atSeq = atSeqOrHead == null ? sourceHead.seq() : atSeqOrHead;
            if (atSeq < 1 || atSeq > sourceHead.seq()) {
                throw new dev.sessionlog.event.InvalidRequestException("at_seq must be from 1 to " + sourceHead.seq()
                        + " (the head of \"" + source.sessionId() + "\"), was " + atSeq);
            }
            Map<String, AttributeValue> existing = stateItem(fork);
            if (existing != null || heads.head(fork).seq() != 0) {
                if (existing != null && isSameFork(existing, source, atSeq)) {
                    return new ForkResult(newSessionId, source.sessionId(), atSeq, false);
                }
                throw new SessionExistsException(fork);
            }
            if (heads.isErased(fork)) {
                throw new SessionErasedException(fork);
            }
            String chain = atSeq == sourceHead.seq() ? sourceHead.chain() : heads.chainAt(source, atSeq, sourceHead.lineage());
            Lineage lineage = sourceHead.lineage().forkedAt(source.sessionId(), atSeq);
            try {
                ddb.transactWriteItems(b -> b.transactItems(forkWrites(source, fork, atSeq, sourceHead.seq(), chain, lineage))
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                return new ForkResult(newSessionId, source.sessionId(), atSeq, true);
            } catch (TransactionCanceledException raced) {
                // another writer moved the source's head, or made the fork's id meanwhile: look again
                if (attempt >= MAX_ATTEMPTS || !isRace(raced)) {
                    throw raced;
                }
            }
        }
    }

    private List<TransactWriteItem> forkWrites(StreamKey source, StreamKey fork, long atSeq, long sourceHead, String chain,
                                               Lineage lineage) {
        String now = EventRecordJson.RECORDED_AT.format(clock.instant());
        List<TransactWriteItem> writes = new ArrayList<>();
        Map<String, AttributeValue> state = new HashMap<>(EventItems.key(fork, 0));
        state.put(EventItems.FORKED_FROM, AttributeValue.fromS(source.sessionId()));
        state.put(EventItems.FORK_SEQ, AttributeValue.fromN(Long.toString(atSeq)));
        state.put(EventItems.FORKED_AT, AttributeValue.fromS(now));
        state.put(EventItems.LINEAGE, AttributeValue.fromS(lineage.toJson()));
        // The fork's own events start after the fork seq: its archive does too.
        state.put(EventItems.ARCHIVED_THROUGH, AttributeValue.fromN(Long.toString(atSeq)));
        state.put(EventItems.STUBBED_THROUGH, AttributeValue.fromN(Long.toString(atSeq)));
        writes.add(put(state));
        Map<String, AttributeValue> link = new HashMap<>(EventItems.key(fork, atSeq));
        link.put(EventItems.FORK_LINK, AttributeValue.fromBool(true));
        link.put(EventItems.FORKED_FROM, AttributeValue.fromS(source.sessionId()));
        link.put(EventItems.FORKED_AT, AttributeValue.fromS(now));
        link.put(EventItems.LINEAGE, AttributeValue.fromS(lineage.toJson()));
        if (chain != null) {
            link.put(EventItems.CHAIN, AttributeValue.fromS(chain));
        }
        writes.add(put(link));
        if (atSeq > 1) {
            Map<String, AttributeValue> floor = new HashMap<>(EventItems.key(fork, 1));
            floor.put(EventItems.FORK_FLOOR, AttributeValue.fromBool(true));
            writes.add(put(floor));
        }
        Map<String, AttributeValue> registry = new HashMap<>(EventItems.key(source, registrySeq(fork.sessionId())));
        registry.put(EventItems.FORKED_TO, AttributeValue.fromS(fork.sessionId()));
        registry.put(EventItems.FORK_SEQ, AttributeValue.fromN(Long.toString(atSeq)));
        writes.add(put(registry));
        // The source is not being erased: nothing follows the head the fork was made from (an erasure's
        // mark would). A new event there instead only makes this attempt fail and look again.
        writes.add(TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName(table)
                .key(EventItems.key(source, sourceHead + 1)).conditionExpression("attribute_not_exists(pk)").build()).build());
        return writes;
    }

    private TransactWriteItem put(Map<String, AttributeValue> item) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    /**
     * The registry item's seq in the source: negative (no event read reaches it), from the fork's id.
     * Two forks of one source whose ids give the same 52 bits cannot both be registered: the second
     * then answers session_exists; with 2^52 values that takes some hundred million forks of one source.
     */
    static long registrySeq(String forkSessionId) {
        long hash = 1125899906842597L;
        for (byte b : forkSessionId.getBytes(StandardCharsets.UTF_8)) {
            hash = 31 * hash + b;
        }
        return -1 - (hash & ((1L << 52) - 1));
    }

    private Map<String, AttributeValue> stateItem(StreamKey key) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).key(EventItems.key(key, 0)).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static boolean isSameFork(Map<String, AttributeValue> state, StreamKey source, long atSeq) {
        AttributeValue from = state.get(EventItems.FORKED_FROM);
        AttributeValue seq = state.get(EventItems.FORK_SEQ);
        return from != null && source.sessionId().equals(from.s()) && seq != null && Long.parseLong(seq.n()) == atSeq;
    }

    private static boolean isRace(TransactionCanceledException e) {
        return e.cancellationReasons().stream().map(CancellationReason::code)
                .anyMatch(c -> "ConditionalCheckFailed".equals(c) || "TransactionConflict".equals(c));
    }

    EraseRequest requestErase(StreamKey key) {
        for (int attempt = 1; ; attempt++) {
            Head head = heads.head(key);
            if (head.erasing()) {
                return new EraseRequest(key, head.seq(), null);
            }
            if (head.seq() == 0) {
                heads.requireNotErased(key);
                throw new SessionMissingException(key);
            }
            Instant now = clock.instant();
            Map<String, AttributeValue> mark = new HashMap<>(EventItems.key(key, head.seq() + 1));
            mark.put(EventItems.ERASING, AttributeValue.fromBool(true));
            mark.put(EventItems.ERASE_SHARD, AttributeValue.fromS("erase#" + Math.floorMod(key.pk().hashCode(), ERASE_SHARDS)));
            mark.put(EventItems.ERASE_AT, AttributeValue.fromS(EventRecordJson.RECORDED_AT.format(now)));
            if (head.chain() != null) {
                mark.put(EventItems.ERASED_CHAIN, AttributeValue.fromS(head.chain())); // what its tombstone keeps
            }
            try {
                ddb.putItem(b -> b.tableName(table).item(mark).conditionExpression("attribute_not_exists(pk)")
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                return new EraseRequest(key, head.seq() + 1, now);
            } catch (ConditionalCheckFailedException appendedMeanwhile) {
                // an event took that seq first (it is erased with the rest), or a lost answer was retried: look again
                if (attempt >= MAX_ATTEMPTS) {
                    throw new StoreBusyException("session " + key.sessionId() + " is too busy to mark for erasure; retry", 1,
                            appendedMeanwhile);
                }
            }
        }
    }
}
