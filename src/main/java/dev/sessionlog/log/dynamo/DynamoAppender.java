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
 * <p>Why it is gapless and exactly-once without a separate head item: a request's events go into
 * one item keyed by its first seq (a pack; see {@link #packed}), written with
 * {@code attribute_not_exists}. Every head a writer can read is the last seq of an item, so the key
 * head+1 is either free (nothing followed that head) or the next item's: of two writers that read the
 * same head only one can win, and a loser learns of it by failing. The same condition makes the chain
 * a chain: an event links to the chain value of the head it read, and only one writer can follow that
 * head. A request that needs several items (events with parents, bodies in S3) writes them in one
 * transaction, the first at head+1. The event_id check reads the id index after the head was read,
 * so it sees every append the write could race with (and, for a fork, the indexes of the sessions it
 * inherited from).
 */
final class DynamoAppender {

    /** DynamoDB's transaction limit is 4 MB; stay clear of it with the item overheads. */
    static final int MAX_TRANSACTION_BODY_BYTES = 3_500_000;
    /**
     * A pack's bodies at most: an append's head read pays for the whole newest item, so as for one
     * inline body (EventBodyCodec) 64 KiB caps that at 16 read units.
     */
    static final int MAX_PACK_BYTES = 64 * 1024;
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
    private final EventIds eventIds;
    private final boolean packs;

    DynamoAppender(DynamoDbClient ddb, String table, PayloadStore payloads, Clock clock, AppendRetryPolicy retry, Heads heads,
                   java.time.Duration itemLifetime, boolean packs) {
        this.packs = packs;
        this.itemLifetime = itemLifetime;
        this.ddb = ddb;
        this.table = table;
        this.payloads = payloads;
        this.clock = clock;
        this.retry = retry;
        this.heads = heads;
        this.eventIds = new EventIds(ddb, table);
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
        List<String> ids = sent.stream().filter(NewEvent::hasClientId).map(NewEvent::eventId).toList();
        boolean clientIds = !ids.isEmpty();
        long idsCheckedThrough = -1; // the head through which the session is known not to hold the ids
        for (int attempt = 1; ; attempt++) {
            // With client ids the head is read before the ids are looked up, also when expected_seq
            // names it: only then does the write's "head+1 is free" prove that no event written after
            // the lookup can hold one of the ids. With expected_seq alone, only the expected head is read.
            Heads.Tip tip = clientIds ? heads.tip(key) : null;
            Head head = clientIds ? tip.head() : expected.isAny() ? heads.head(key) : heads.at(key, expected.seq());
            if (head.erasing()) {
                throw new SessionErasingException(key);
            }
            if (head.seq() == 0) {
                heads.requireNotErased(key);
            }
            if (!expected.isAny() && head.seq() != expected.seq()) {
                // at() answers -1 when the expected seq is no head: the actual one is read then
                Heads.Tip actual = tip != null ? tip : head.seq() < 0 ? heads.tip(key) : new Heads.Tip(head, null);
                if (actual.head().erasing()) {
                    throw new SessionErasingException(key);
                }
                Map<String, Long> stored = storedSeqs(key, sent, actual);
                if (!stored.isEmpty()) {
                    return duplicates(key, sent, stored, actual.head());
                }
                throw new SeqConflictException(key, expected.seq(), actual.head().seq());
            }
            // A session without events cannot hold any of the ids. After a lost race, only what the
            // winners wrote since the last look is read: the ids were not stored up to it.
            Map<String, Long> stored = !clientIds || head.seq() == 0 ? Map.of()
                    : idsCheckedThrough >= 0 && head.seq() >= idsCheckedThrough
                    ? eventIds.since(key, ids, idsCheckedThrough, head.seq())
                    : storedSeqs(key, sent, tip);
            if (!stored.isEmpty()) {
                return duplicates(key, sent, stored, head); // ids were given, so the head was read
            }
            idsCheckedThrough = clientIds ? head.seq() : -1;
            try {
                return write(key, events, bodies.attributes(), head, expected);
            } catch (TransactionCanceledException | ConditionalCheckFailedException lost) {
                if (lost instanceof TransactionCanceledException canceled && !isRace(canceled)) {
                    throw canceled;
                }
                if (!expected.isAny()) {
                    // The next attempt could only conflict, or find the ids written by a concurrent retry.
                    Heads.Tip actual = heads.tip(key);
                    if (actual.head().erasing()) {
                        throw new SessionErasingException(key);
                    }
                    Map<String, Long> nowStored = clientIds ? eventIds.since(key, ids, head.seq(), actual.head().seq()) : Map.of();
                    if (!nowStored.isEmpty()) {
                        return duplicates(key, sent, nowStored, actual.head());
                    }
                    if (actual.head().seq() != expected.seq()) {
                        throw new SeqConflictException(key, expected.seq(), actual.head().seq());
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
        List<Map<String, AttributeValue>> eventItems = new ArrayList<>(events.size());
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
            eventItems.add(item);
            appended.add(new AppendedEvent(event.eventId(), seq, false));
        }
        List<Map<String, AttributeValue>> items = packs ? packed(eventItems) : eventItems;
        // An expected_seq needs no check in the write: the head was read (the item that holds it, or
        // the archive's), and head+1 being free when the write lands proves that nothing followed it.
        if (items.size() == 1) {
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

    /**
     * The items to write: consecutive events without a parent and with their bodies inline go into
     * one item (a pack) up to {@value #MAX_PACK_BYTES} bytes of bodies, so a request usually costs
     * one item and one index entry. An event with a parent keeps an item of its own (the children
     * index has one key per item), and so does one whose body is in S3 (the orphan sweep finds its
     * reference by the event's id).
     */
    static List<Map<String, AttributeValue>> packed(List<Map<String, AttributeValue>> items) {
        List<Map<String, AttributeValue>> packs = new ArrayList<>();
        List<Map<String, AttributeValue>> open = new ArrayList<>();
        long openBytes = 0;
        for (Map<String, AttributeValue> item : items) {
            boolean packable = !EventItems.hasParent(item) && !item.containsKey(EventBodyCodec.BODY_REF);
            long bytes = packedBytes(item);
            if (!open.isEmpty() && (!packable || openBytes + bytes > MAX_PACK_BYTES)) {
                packs.add(EventItems.pack(open));
                open = new ArrayList<>();
                openBytes = 0;
            }
            if (packable) {
                open.add(item);
                openBytes += bytes;
            } else {
                packs.add(item);
            }
        }
        if (!open.isEmpty()) {
            packs.add(EventItems.pack(open));
        }
        return packs;
    }

    /** An event's share of a pack: its body as stored, and its id, type and chain. */
    private static long packedBytes(Map<String, AttributeValue> item) {
        AttributeValue body = item.containsKey(EventBodyCodec.BODY) ? item.get(EventBodyCodec.BODY) : item.get(EventBodyCodec.BODY_GZ);
        long size = body == null ? 0 : body.s() != null ? body.s().length() : body.b().asByteArrayUnsafe().length;
        return size + item.get(EventItems.EVENT_ID).s().length() + item.get(EventItems.TYPE).s().length() + 128;
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
     * included (a fork's ids up to its fork seq are in the sessions it forked from).
     */
    Map<String, Long> storedSeqs(StreamKey key, List<NewEvent> events, Heads.Tip tip) {
        List<String> ids = events.stream().filter(NewEvent::hasClientId).map(NewEvent::eventId).toList();
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> found = new HashMap<>(eventIds.find(key, ids, Long.MAX_VALUE, tip == null ? null : tip.item()));
        Lineage lineage = tip == null ? Lineage.NONE : tip.head().lineage();
        for (Lineage.Ancestor a : lineage.ancestors()) {
            eventIds.find(new StreamKey(key.tenant(), a.sessionId()), ids, a.throughSeq(), null).forEach(found::putIfAbsent);
        }
        return found;
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
