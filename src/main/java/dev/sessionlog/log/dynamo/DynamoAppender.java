package dev.sessionlog.log.dynamo;

import dev.sessionlog.chain.ChainHash;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.AppendRetryPolicy;
import dev.sessionlog.log.AppendedEvent;
import dev.sessionlog.log.ExpectedSeq;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.IoPool;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.PartialDuplicateException;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.SeqConflictException;
import dev.sessionlog.log.SessionErasedException;
import dev.sessionlog.log.SessionErasingException;
import dev.sessionlog.log.StoreBusyException;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.TimeBudget;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Appends to the log on DynamoDB: gapless seqs, each event once, the chain linked in the same write.
 *
 * <p>Why it is gapless and exactly-once without a separate head item: every append writes seqs
 * head+1..head+n with {@code attribute_not_exists} in one transaction, so of two writers that read
 * the same head only one can win, and a loser learns of it by failing. The same condition makes the
 * chain a chain: an event links to the chain value of the head it read, and only one writer can
 * follow that head. The event_id check reads the local index {@value EventItems#BY_EVENT_ID} with a
 * consistent read after the head was read, so it sees every append the write could race with (and,
 * for a fork, the indexes of the sessions it inherited from). That keeps a 100-event batch at 100
 * transaction actions (DynamoDB's limit); a head item would make it 101.
 */
final class DynamoAppender {

    /** DynamoDB's transaction limit is 4 MB; stay clear of it with the item overheads. */
    static final int MAX_TRANSACTION_BODY_BYTES = 3_500_000;
    /** DynamoDB's limit of actions in one transaction. */
    static final int MAX_TRANSACTION_ACTIONS = 100;
    /** The least a new attempt at a write needs of the request's time budget. */
    private static final long MIN_ATTEMPT_MILLIS = 200;
    private static final Logger LOG = Logger.getLogger(DynamoAppender.class);

    private final DynamoDbClient ddb;
    private final String table;
    private final PayloadStore payloads;
    private final Clock clock;
    private final AppendRetryPolicy retry;
    private final Heads heads;
    private final java.time.Duration itemLifetime;

    DynamoAppender(DynamoDbClient ddb, String table, PayloadStore payloads, Clock clock, AppendRetryPolicy retry, Heads heads,
                   java.time.Duration itemLifetime) {
        this.itemLifetime = itemLifetime;
        this.ddb = ddb;
        this.table = table;
        this.payloads = payloads;
        this.clock = clock;
        this.retry = retry;
        this.heads = heads;
    }

    AppendResult append(StreamKey key, AppendRequest request) {
        List<NewEvent> sent = request.events();
        // Server-made ids are made once per request, so that a retry inside it keeps them.
        List<NewEvent> events = sent.stream().map(e -> e.hasClientId() ? e : e.withId(UUID.randomUUID().toString())).toList();
        Bodies bodies = encodeBodies(key, events);
        try {
            AppendResult result = appendRacing(key, ExpectedSeq.from(request.expectedSeq()), sent, events, bodies);
            if (!result.wroteAny()) {
                bodies.discard(payloads); // a retry: the first request's bodies are the ones referred to
            }
            return result;
        } catch (SeqConflictException | PartialDuplicateException | StoreBusyException | TimeBudget.OutOfTimeException
                 | SessionErasingException | SessionErasedException nothingWritten) {
            bodies.discard(payloads);
            throw nothingWritten;
        }
    }

    private AppendResult appendRacing(StreamKey key, ExpectedSeq expected, List<NewEvent> sent, List<NewEvent> events,
                                      Bodies bodies) {
        boolean clientIds = sent.stream().anyMatch(NewEvent::hasClientId);
        for (int attempt = 1; ; attempt++) {
            // With client ids the head is read before the ids are looked up, also when expected_seq
            // names it: only then does the write's "head+1 is free" prove that no event written after
            // the lookup can hold one of the ids. With expected_seq alone, only the expected head is read.
            Head head = expected.isAny() || clientIds ? heads.head(key) : heads.at(key, expected.seq());
            if (head.erasing()) {
                throw new SessionErasingException(key);
            }
            if (head.seq() == 0) {
                heads.requireNotErased(key);
            }
            if (!expected.isAny() && head.seq() != expected.seq()) {
                Head actual = head.seq() < 0 ? heads.head(key) : head; // at() answers -1 when the expected head is no head
                if (actual.erasing()) {
                    throw new SessionErasingException(key);
                }
                Map<String, Long> stored = storedSeqs(key, sent, actual.lineage());
                if (!stored.isEmpty()) {
                    return duplicates(key, sent, stored, actual);
                }
                throw new SeqConflictException(key, expected.seq(), actual.seq());
            }
            // A session without events cannot hold any of the ids; a failed write checks again.
            Map<String, Long> stored = head.seq() == 0 ? Map.of() : storedSeqs(key, sent, head.lineage());
            if (!stored.isEmpty()) {
                return duplicates(key, sent, stored, head); // ids were given, so the head was read
            }
            try {
                return write(key, events, bodies.attributes(), head, expected);
            } catch (TransactionCanceledException | ConditionalCheckFailedException lost) {
                if (lost instanceof TransactionCanceledException canceled && !isRace(canceled)) {
                    throw canceled;
                }
                Head actual = heads.head(key);
                if (actual.erasing()) {
                    throw new SessionErasingException(key);
                }
                if (!expected.isAny()) {
                    Map<String, Long> nowStored = storedSeqs(key, sent, actual.lineage());
                    if (!nowStored.isEmpty()) {
                        return duplicates(key, sent, nowStored, actual);
                    }
                    if (actual.seq() != expected.seq()) {
                        throw new SeqConflictException(key, expected.seq(), actual.seq());
                    }
                }
                if (attempt >= retry.maxAttempts()) {
                    throw new StoreBusyException("session " + key.sessionId() + " is busy: " + attempt
                            + " attempts lost the race to other writers; retry the request", 1, lost);
                }
                long delay = retry.delayMillis(attempt);
                TimeBudget.check("racing other writers of session " + key.sessionId(), delay + MIN_ATTEMPT_MILLIS);
                sleep(delay);
            } catch (DynamoDbException e) {
                if (isThrottle(e)) {
                    throw new StoreBusyException("DynamoDB throttled the write past retries; retry the request", 2, e);
                }
                throw e;
            }
        }
    }

    private AppendResult write(StreamKey key, List<NewEvent> events, List<Map.Entry<String, AttributeValue>> bodies,
                               Head head, ExpectedSeq expected) {
        Instant recordedAt = clock.instant();
        List<Map<String, AttributeValue>> items = new ArrayList<>(events.size());
        List<AppendedEvent> appended = new ArrayList<>(events.size());
        String chain = head.chain();
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = events.get(i);
            long seq = head.seq() + 1 + i;
            EventRecord record = new EventRecord(seq, event.eventId(), event.parentEventId(),
                    StreamKey.otherSession(key, event.parentSessionId()), recordedAt, event.event(), null);
            chain = ChainHash.next(chain, record);
            Map<String, AttributeValue> item = EventItems.item(key, record.withChain(chain));
            item.put(bodies.get(i).getKey(), bodies.get(i).getValue());
            item.put(EventItems.BODY_SIZE, AttributeValue.fromN(Integer.toString(event.body().length)));
            if (itemLifetime != null) {
                // DynamoDB deletes the item for free once this has passed; the archive has it long before.
                item.put(EventItems.EXPIRES_AT, AttributeValue.fromN(Long.toString(recordedAt.plus(itemLifetime).getEpochSecond())));
            }
            if (head.lineage().isFork()) {
                item.put(EventItems.LINEAGE, AttributeValue.fromS(head.lineage().toJson())); // the next append reads it off its head
            }
            items.add(item);
            appended.add(new AppendedEvent(event.eventId(), seq, false));
        }
        // A head known from the archive (TTL took its item) has nothing to check: head+1 still collides.
        boolean mustProveHead = !expected.isAny() && head.seq() > 0 && head.itemHeld();
        if (items.size() == 1 && !mustProveHead) {
            // A single conditional put is atomic too, and costs half a transactional write. Unlike a
            // transaction it has no idempotency token: if the SDK retries a put that did succeed, the
            // retry fails its condition on our own item, which is then success, not a lost race.
            try {
                ddb.putItem(b -> b.tableName(table).item(items.get(0))
                        .conditionExpression("attribute_not_exists(pk)")
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            } catch (ConditionalCheckFailedException lost) {
                if (!isOwnWrite(lost.item(), items.get(0))) {
                    throw lost;
                }
            }
        } else {
            List<TransactWriteItem> actions = new ArrayList<>(items.size() + 1);
            for (Map<String, AttributeValue> item : items) {
                actions.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                        .conditionExpression("attribute_not_exists(pk)")
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build());
            }
            if (mustProveHead) {
                if (actions.size() < MAX_TRANSACTION_ACTIONS) {
                    // head+1 free and head present means the head is exactly what the writer expected.
                    actions.add(TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName(table)
                            .key(EventItems.key(key, head.seq())).conditionExpression("attribute_exists(pk)").build()).build());
                } else if (heads.head(key).seq() != head.seq()) {
                    // No room left in the transaction for the check: read instead.
                    throw ConditionalCheckFailedException.builder().message("head moved").build();
                }
            }
            try {
                ddb.transactWriteItems(b -> b.transactItems(actions).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            } catch (TransactionCanceledException canceled) {
                // DynamoDB answers a retried transaction (its idempotency token) with success; where a retry is
                // not recognised (past the token's ten minutes, or an engine without it), it fails on our own
                // items: every put's item is then the one this request wrote.
                if (!isOwnTransaction(canceled, items)) {
                    throw canceled;
                }
            }
        }
        return new AppendResult(key.sessionId(), head.seq() + events.size(), appended, chain);
    }

    private static boolean isOwnTransaction(TransactionCanceledException canceled, List<Map<String, AttributeValue>> items) {
        List<CancellationReason> reasons = canceled.cancellationReasons();
        if (reasons.size() < items.size()) {
            return false;
        }
        for (int i = 0; i < items.size(); i++) {
            if (!"ConditionalCheckFailed".equals(reasons.get(i).code()) || !isOwnWrite(reasons.get(i).item(), items.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isOwnWrite(Map<String, AttributeValue> stored, Map<String, AttributeValue> attempted) {
        return stored != null && !stored.isEmpty()
                && attempted.get(EventItems.EVENT_ID).equals(stored.get(EventItems.EVENT_ID))
                && attempted.get(EventItems.RECORDED_AT).equals(stored.get(EventItems.RECORDED_AT));
    }

    private static boolean isRace(TransactionCanceledException e) {
        return e.cancellationReasons().stream().map(CancellationReason::code)
                .anyMatch(c -> "ConditionalCheckFailed".equals(c) || "TransactionConflict".equals(c)
                        || "ThrottlingError".equals(c));
    }

    private static boolean isThrottle(DynamoDbException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return e.isThrottlingException() || "ProvisionedThroughputExceededException".equals(code)
                || "RequestLimitExceeded".equals(code) || "ThrottlingException".equals(code);
    }

    /** A retry of stored events: their first seqs, and the receipt the first answer gave (the chain at the highest). */
    private AppendResult duplicates(StreamKey key, List<NewEvent> events, Map<String, Long> stored, Head head) {
        boolean all = events.stream().allMatch(e -> e.hasClientId() && stored.containsKey(e.eventId()));
        if (!all) {
            List<String> storedIds = events.stream().map(NewEvent::eventId)
                    .filter(id -> id != null && stored.containsKey(id)).toList();
            throw new PartialDuplicateException(storedIds, events.size());
        }
        List<AppendedEvent> answers = events.stream()
                .map(e -> new AppendedEvent(e.eventId(), stored.get(e.eventId()), true)).toList();
        long highest = answers.stream().mapToLong(AppendedEvent::seq).max().orElse(0);
        return new AppendResult(key.sessionId(), head.seq(), answers, heads.chainAt(key, highest, head.lineage()));
    }

    /** The body attribute of each event, and the payload objects this request wrote for them. */
    private record Bodies(List<Map.Entry<String, AttributeValue>> attributes, List<String> written) {
        /** Removes the objects of a request that wrote nothing: nothing refers to them. */
        void discard(PayloadStore payloads) {
            for (String objectKey : written) {
                try {
                    payloads.delete(objectKey);
                } catch (RuntimeException e) {
                    LOG.warnf("could not remove the unused payload %s (the orphan sweep will): %s", objectKey, e.toString());
                }
            }
        }
    }

    /**
     * Bodies are made once per request, before any retry: large ones go to S3 here, and the batch is
     * kept within a transaction's size.
     */
    private Bodies encodeBodies(StreamKey key, List<NewEvent> events) {
        List<Map.Entry<String, AttributeValue>> bodies = new ArrayList<>(events.size());
        List<String> written = new ArrayList<>();
        long total = 0;
        for (NewEvent event : events) {
            Map.Entry<String, AttributeValue> inline = EventBodyCodec.inline(event.body());
            Map.Entry<String, AttributeValue> body = inline;
            if (inline == null) {
                String ref = payloads.put(key, event.eventId(), event.body());
                written.add(ref);
                body = EventBodyCodec.reference(ref);
            }
            bodies.add(body);
            total += EventBodyCodec.size(body);
        }
        if (total > MAX_TRANSACTION_BODY_BYTES) {
            List<Integer> largestFirst = IntStream.range(0, bodies.size()).boxed()
                    .sorted(Comparator.comparingInt((Integer i) -> EventBodyCodec.size(bodies.get(i))).reversed()).toList();
            for (int i : largestFirst) {
                if (total <= MAX_TRANSACTION_BODY_BYTES) {
                    break;
                }
                total -= EventBodyCodec.size(bodies.get(i));
                String ref = payloads.put(key, events.get(i).eventId(), events.get(i).body());
                written.add(ref);
                bodies.set(i, EventBodyCodec.reference(ref));
                total += EventBodyCodec.size(bodies.get(i));
            }
        }
        return new Bodies(bodies, written);
    }

    /**
     * The seqs of those of the events' client ids that the session already holds, its inherited part
     * included (a fork's ids up to its fork seq are in the sessions it forked from: all are asked at
     * once). One range read of an id index answers most batches (ids a client makes are usually
     * ordered); when the range holds more than the bound, each id is looked up.
     */
    Map<String, Long> storedSeqs(StreamKey key, List<NewEvent> events, Lineage lineage) {
        List<String> ids = events.stream().filter(NewEvent::hasClientId).map(NewEvent::eventId).sorted().toList();
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> found = new HashMap<>(storedSeqs(key, ids, Long.MAX_VALUE));
        for (Lineage.Ancestor a : lineage.ancestors()) {
            storedSeqs(new StreamKey(key.tenant(), a.sessionId()), ids, a.throughSeq()).forEach(found::putIfAbsent);
        }
        return found;
    }

    private Map<String, Long> storedSeqs(StreamKey key, List<String> ids, long throughSeq) {
        Map<String, Long> found = new HashMap<>();
        if (ids.size() > 1) {
            QueryResponse range = ddb.query(idQuery(key)
                    .keyConditionExpression("pk = :pk AND event_id BETWEEN :lo AND :hi")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()),
                            ":lo", AttributeValue.fromS(ids.get(0)), ":hi", AttributeValue.fromS(ids.get(ids.size() - 1))))
                    .limit(ids.size() * 2 + 16).build());
            if (!range.hasLastEvaluatedKey() || range.lastEvaluatedKey().isEmpty()) {
                java.util.Set<String> wanted = new java.util.HashSet<>(ids);
                for (Map<String, AttributeValue> item : range.items()) {
                    String id = item.get(EventItems.EVENT_ID).s();
                    if (wanted.contains(id) && EventItems.seq(item) <= throughSeq) {
                        found.put(id, EventItems.seq(item));
                    }
                }
                return found;
            }
        }
        // Unordered ids (random UUIDs): one lookup each, all at once, so the latency is one round trip.
        List<CompletableFuture<Map.Entry<String, Long>>> lookups = ids.stream().map(id -> IoPool.supply(() -> {
            QueryResponse one = ddb.query(idQuery(key).keyConditionExpression("pk = :pk AND event_id = :id")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":id", AttributeValue.fromS(id)))
                    .build());
            return one.items().isEmpty() || EventItems.seq(one.items().get(0)) > throughSeq ? null
                    : Map.entry(id, EventItems.seq(one.items().get(0)));
        })).toList();
        for (CompletableFuture<Map.Entry<String, Long>> lookup : lookups) {
            Map.Entry<String, Long> hit = IoPool.join(lookup);
            if (hit != null) {
                found.put(hit.getKey(), hit.getValue());
            }
        }
        return found;
    }

    private QueryRequest.Builder idQuery(StreamKey key) {
        return QueryRequest.builder().tableName(table).indexName(EventItems.BY_EVENT_ID).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreBusyException("interrupted while waiting to retry", 1, e);
        }
    }
}
