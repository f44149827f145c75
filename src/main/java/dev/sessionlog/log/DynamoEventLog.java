package dev.sessionlog.log;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.Limits;
import org.jboss.logging.Logger;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.NewEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The log on DynamoDB. One item per event, keyed by (tenant#session, seq).
 *
 * <p>Why it is gapless and exactly-once without a separate head item: every append writes seqs
 * head+1..head+n with {@code attribute_not_exists} in one transaction, so of two writers that
 * read the same head only one can win, and a loser learns of it by failing. The event_id check
 * reads the local index {@value EventItems#BY_EVENT_ID} with a consistent read after the head was
 * read, so it sees every append that the write could race with. That keeps a 100-event batch at
 * 100 transaction actions (DynamoDB's limit); a head item would make it 101.
 */
public final class DynamoEventLog implements EventLog {

    /** DynamoDB's transaction limit is 4 MB; stay clear of it with the item overheads. */
    static final int MAX_TRANSACTION_BODY_BYTES = 3_500_000;
    /** DynamoDB's limit of actions in one transaction. */
    static final int MAX_TRANSACTION_ACTIONS = 100;
    /** DynamoDB's limit of keys in one BatchGetItem. */
    static final int MAX_BATCH_GET_KEYS = 100;
    /** What an internal read (recorder, archiver) holds of event bodies at most, beside its event limit. */
    static final long DEFAULT_READ_BYTES = 32L * 1024 * 1024;
    /** The least a new attempt at a write needs of the request's time budget. */
    private static final long MIN_ATTEMPT_MILLIS = 200;
    private static final Logger LOG = Logger.getLogger(DynamoEventLog.class);


    private final DynamoDbClient ddb;
    private final String table;
    private final PayloadStore payloads;
    private final Clock clock;
    private final AppendRetryPolicy retry;
    private final ArchivedBodies archived;

    public DynamoEventLog(DynamoDbClient ddb, String table, PayloadStore payloads, Clock clock, AppendRetryPolicy retry,
                          ArchivedBodies archived) {
        this.ddb = ddb;
        this.table = table;
        this.payloads = payloads;
        this.clock = clock;
        this.retry = retry;
        this.archived = archived;
    }

    @Override
    public AppendResult append(StreamKey key, AppendRequest request) {
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
        } catch (SeqConflictException | PartialDuplicateException | StoreBusyException | TimeBudget.OutOfTimeException nothingWritten) {
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
            // the lookup can hold one of the ids.
            long head = expected.isAny() || clientIds ? headSeq(key) : expected.seq();
            if (!expected.isAny() && head != expected.seq()) {
                Map<String, Long> stored = storedSeqs(key, sent);
                if (!stored.isEmpty()) {
                    return duplicates(key, sent, stored, head);
                }
                throw new SeqConflictException(key, expected.seq(), head);
            }
            // A session without events cannot hold any of the ids; a failed write checks again.
            Map<String, Long> stored = head == 0 ? Map.of() : storedSeqs(key, sent);
            if (!stored.isEmpty()) {
                return duplicates(key, sent, stored, head); // ids were given, so the head was read
            }
            try {
                return write(key, events, bodies.attributes(), head, expected);
            } catch (TransactionCanceledException | ConditionalCheckFailedException lost) {
                if (lost instanceof TransactionCanceledException canceled && !isRace(canceled)) {
                    throw canceled;
                }
                if (!expected.isAny()) {
                    Map<String, Long> nowStored = storedSeqs(key, sent);
                    long actual = headSeq(key);
                    if (!nowStored.isEmpty()) {
                        return duplicates(key, sent, nowStored, actual);
                    }
                    if (actual != expected.seq()) {
                        throw new SeqConflictException(key, expected.seq(), actual);
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
                               long head, ExpectedSeq expected) {
        Instant recordedAt = clock.instant();
        List<Map<String, AttributeValue>> items = new ArrayList<>(events.size());
        List<AppendedEvent> appended = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = events.get(i);
            long seq = head + 1 + i;
            EventRecord record = new EventRecord(seq, event.eventId(), event.parentEventId(),
                    StreamKey.otherSession(key, event.parentSessionId()), recordedAt, event.event(), null);
            Map<String, AttributeValue> item = EventItems.item(key, record);
            item.put(bodies.get(i).getKey(), bodies.get(i).getValue());
            item.put(EventItems.BODY_SIZE, AttributeValue.fromN(Integer.toString(event.body().length)));
            items.add(item);
            appended.add(new AppendedEvent(event.eventId(), seq, false));
        }
        boolean mustProveHead = !expected.isAny() && head > 0;
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
                            .key(EventItems.key(key, head)).conditionExpression("attribute_exists(pk)").build()).build());
                } else if (headSeq(key) != head) {
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
        return new AppendResult(key.sessionId(), head + events.size(), appended);
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

    private AppendResult duplicates(StreamKey key, List<NewEvent> events, Map<String, Long> stored, long head) {
        boolean all = events.stream().allMatch(e -> e.hasClientId() && stored.containsKey(e.eventId()));
        if (!all) {
            List<String> storedIds = events.stream().map(NewEvent::eventId)
                    .filter(id -> id != null && stored.containsKey(id)).toList();
            throw new PartialDuplicateException(storedIds, events.size());
        }
        List<AppendedEvent> answers = events.stream()
                .map(e -> new AppendedEvent(e.eventId(), stored.get(e.eventId()), true)).toList();
        return new AppendResult(key.sessionId(), head, answers);
    }

    /** The body attribute of each event, and the payload objects this request wrote for them. */
    private record Bodies(List<Map.Entry<String, AttributeValue>> attributes, List<String> written) {
        /** Removes the objects of a request that wrote nothing: nothing refers to them. */
        void discard(PayloadStore payloads) {
            for (String objectKey : written) {
                try {
                    payloads.delete(objectKey);
                } catch (RuntimeException e) {
                    LOG.warnf("could not remove the unused payload %s (the janitor will): %s", objectKey, e.toString());
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

    @Override
    public long headSeq(StreamKey key) {
        QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq > :zero")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":zero", EventItems.seqValue(0)))
                .scanIndexForward(false).limit(1).consistentRead(true).projectionExpression("seq")
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        return r.items().isEmpty() ? 0 : EventItems.seq(r.items().get(0));
    }

    /**
     * The seqs of those of the events' client ids that the session already holds. One range read
     * of the id index answers most batches (ids a client makes are usually ordered, so a new batch's
     * range holds few stored ids); when the range holds more than the bound, each id is looked up.
     */
    Map<String, Long> storedSeqs(StreamKey key, List<NewEvent> events) {
        List<String> ids = events.stream().filter(NewEvent::hasClientId).map(NewEvent::eventId).sorted().toList();
        if (ids.isEmpty()) {
            return Map.of();
        }
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
                    if (wanted.contains(id)) {
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

    private QueryRequest.Builder idQuery(StreamKey key) {
        return QueryRequest.builder().tableName(table).indexName(EventItems.BY_EVENT_ID).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
    }

    @Override
    public List<EventRecord> read(StreamKey key, long afterSeq, int limit) {
        return readPage(key, afterSeq, limit, DEFAULT_READ_BYTES).events();
    }

    @Override
    public EventPage readPage(StreamKey key, long afterSeq, int limit, long maxBytes) {
        List<Map<String, AttributeValue>> chosen = new ArrayList<>(Math.min(limit, 1000));
        long bytes = 0;
        Map<String, AttributeValue> start = null;
        page:
        do {
            Map<String, AttributeValue> exclusiveStart = start;
            int remaining = limit - chosen.size();
            QueryResponse page = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq > :after")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()),
                            ":after", EventItems.seqValue(afterSeq)))
                    .consistentRead(true).limit(remaining).exclusiveStartKey(exclusiveStart)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            for (Map<String, AttributeValue> item : page.items()) {
                long size = estimatedSize(item);
                if (!chosen.isEmpty() && bytes + size > maxBytes) {
                    break page; // the page stops here: what is read must fit the answer
                }
                chosen.add(item);
                bytes += size;
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && chosen.size() < limit);
        return new EventPage(records(chosen), 0);
    }

    /** The event JSON's size before its body is read: exact for items written with body_size. */
    static long estimatedSize(Map<String, AttributeValue> item) {
        long known = EventItems.bodySize(item);
        if (known >= 0) {
            return known;
        }
        AttributeValue inline = item.get(EventBodyCodec.BODY);
        return inline != null ? inline.s().length() : Limits.MAX_EVENT_BYTES;
    }

    /** The records of items in order; their bodies in S3 are fetched all at once, not one by one. */
    private List<EventRecord> records(List<Map<String, AttributeValue>> items) {
        List<CompletableFuture<EventRecord>> fetching = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            boolean remote = item.containsKey(EventBodyCodec.BODY_REF) && !EventItems.isStub(item);
            fetching.add(remote ? IoPool.supply(() -> EventItems.toRecord(item, payloads, archived))
                    : CompletableFuture.completedFuture(EventItems.toRecord(item, payloads, archived)));
        }
        List<EventRecord> records = new ArrayList<>(items.size());
        for (CompletableFuture<EventRecord> f : fetching) {
            records.add(IoPool.join(f));
        }
        return records;
    }

    @Override
    public Optional<EventRecord> head(StreamKey key) {
        QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq > :zero")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":zero", EventItems.seqValue(0)))
                .scanIndexForward(false).limit(1).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        return r.items().stream().findFirst().map(item -> EventItems.toRecord(item, payloads, archived));
    }

    @Override
    public OptionalLong eventSeq(StreamKey key, String eventId) {
        QueryResponse r = ddb.query(idQuery(key).keyConditionExpression("pk = :pk AND event_id = :id")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":id", AttributeValue.fromS(eventId)))
                .build());
        return r.items().isEmpty() ? OptionalLong.empty() : OptionalLong.of(EventItems.seq(r.items().get(0)));
    }

    @Override
    public ChildPage children(StreamKey parent, String eventId, int limit, String cursor, long maxBytes) {
        String parentKey = EventItems.parentKey(parent.tenant(), parent.sessionId(), eventId);
        Map<String, AttributeValue> start = PageCursor.decode(cursor, childrenCursor(parentKey));
        PageCursor.requireTenant(start, EventItems.PK, parent.tenant());
        QueryResponse page = ddb.query(b -> b.tableName(table).indexName(EventItems.CHILDREN)
                .keyConditionExpression("parent_key = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(parentKey)))
                .limit(limit).exclusiveStartKey(start).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        Map<String, Map<String, AttributeValue>> items = batchGet(page.items());
        List<Map<String, AttributeValue>> chosen = new ArrayList<>();
        long bytes = 0;
        boolean stoppedEarly = false;
        for (Map<String, AttributeValue> keys : page.items()) {
            Map<String, AttributeValue> item = items.get(itemId(keys));
            if (item == null) {
                continue; // erased meanwhile: the index lags the table
            }
            long size = estimatedSize(item);
            if (!chosen.isEmpty() && bytes + size > maxBytes) {
                stoppedEarly = true;
                break;
            }
            chosen.add(item);
            bytes += size;
        }
        // Archived children's bodies are fetched per session in one pass, not one archive lookup each.
        Map<String, List<Long>> stubSeqs = new HashMap<>();
        chosen.stream().filter(EventItems::isStub).forEach(item ->
                stubSeqs.computeIfAbsent(item.get(EventItems.PK).s(), pk -> new ArrayList<>()).add(EventItems.seq(item)));
        Map<String, Map<Long, JsonNode>> stubBodies = new HashMap<>();
        stubSeqs.forEach((pk, seqs) -> stubBodies.put(pk, archived.bodies(StreamKey.fromPk(pk), seqs)));
        List<EventRecord> hot = records(chosen.stream().filter(i -> !EventItems.isStub(i)).toList());
        List<ChildPage.Child> children = new ArrayList<>();
        int nextHot = 0;
        for (Map<String, AttributeValue> item : chosen) {
            String pk = item.get(EventItems.PK).s();
            EventRecord record = EventItems.isStub(item)
                    ? EventItems.toRecord(item, stubBodies.get(pk).get(EventItems.seq(item)))
                    : hot.get(nextHot++);
            children.add(new ChildPage.Child(StreamKey.fromPk(pk).sessionId(), record, PageCursor.encode(childrenKey(item), "")));
        }
        Map<String, AttributeValue> last = stoppedEarly && !chosen.isEmpty() ? childrenKey(chosen.get(chosen.size() - 1))
                : page.lastEvaluatedKey();
        return new ChildPage(children, PageCursor.encode(last, ""));
    }

    private static PageCursor.Shape childrenCursor(String parentKey) {
        return new PageCursor.Shape(PageCursor.keys(EventItems.PARENT_KEY, "S", EventItems.CHILD_KEY, "S",
                EventItems.PK, "S", EventItems.SEQ, "N"), EventItems.PARENT_KEY, parentKey, "");
    }

    /** The children index's key of an item: where the next page starts after it. */
    private static Map<String, AttributeValue> childrenKey(Map<String, AttributeValue> item) {
        return Map.of(EventItems.PARENT_KEY, item.get(EventItems.PARENT_KEY), EventItems.CHILD_KEY, item.get(EventItems.CHILD_KEY),
                EventItems.PK, item.get(EventItems.PK), EventItems.SEQ, item.get(EventItems.SEQ));
    }

    /** The items of index keys: BatchGetItem takes 100 keys, so larger pages go as concurrent batches. */
    private Map<String, Map<String, AttributeValue>> batchGet(List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> distinct = keys.stream()
                .map(k -> Map.of(EventItems.PK, k.get(EventItems.PK), EventItems.SEQ, k.get(EventItems.SEQ))).distinct().toList();
        List<CompletableFuture<List<Map<String, AttributeValue>>>> batches = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += MAX_BATCH_GET_KEYS) {
            List<Map<String, AttributeValue>> batch = distinct.subList(from, Math.min(distinct.size(), from + MAX_BATCH_GET_KEYS));
            batches.add(IoPool.supply(() -> batchGetOnce(batch)));
        }
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        for (CompletableFuture<List<Map<String, AttributeValue>>> batch : batches) {
            IoPool.join(batch).forEach(item -> found.put(itemId(item), item));
        }
        return found;
    }

    private List<Map<String, AttributeValue>> batchGetOnce(List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().consistentRead(true).keys(keys).build());
        while (request != null && !request.isEmpty()) {
            Map<String, KeysAndAttributes> current = request;
            BatchGetItemResponse r = ddb.batchGetItem(b -> b.requestItems(current)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            found.addAll(r.responses().getOrDefault(table, List.of()));
            request = r.hasUnprocessedKeys() && !r.unprocessedKeys().isEmpty() ? r.unprocessedKeys() : null;
        }
        return found;
    }

    private static String itemId(Map<String, AttributeValue> item) {
        return item.get(EventItems.PK).s() + "/" + item.get(EventItems.SEQ).n();
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
