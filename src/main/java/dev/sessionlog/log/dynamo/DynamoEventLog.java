package dev.sessionlog.log.dynamo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Limits;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.AppendRetryPolicy;
import dev.sessionlog.log.ArchivedBodies;
import dev.sessionlog.log.ChildPage;
import dev.sessionlog.log.EraseRequest;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.ForkResult;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.IoPool;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.ReadSpec;
import dev.sessionlog.log.StreamKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * The log on DynamoDB: a session's own partition, keyed by (tenant#session, seq), one item per
 * append request's events (a pack, keyed by its first seq; see {@link DynamoAppender#packed}). Appends are {@link DynamoAppender}'s, forks and erasure marks {@link DynamoLifecycle}'s; this
 * class reads: pages in either direction with a type filter, the head, ids, children.
 */
public final class DynamoEventLog implements EventLog {

    /** DynamoDB's limit of keys in one BatchGetItem. */
    static final int MAX_BATCH_GET_KEYS = 100;
    /** What an internal read (recorder, archiver) holds of event bodies at most, beside its event limit. */
    static final long DEFAULT_READ_BYTES = 32L * 1024 * 1024;

    private final DynamoDbClient ddb;
    private final String table;
    private final PayloadStore payloads;
    private final ArchivedBodies archived;
    private final Heads heads;
    private final DynamoAppender appender;
    private final DynamoLifecycle lifecycle;
    private final Clock clock;
    private final EventIds eventIds;

    /** A log whose event items never expire (tests of the log alone). */
    public DynamoEventLog(DynamoDbClient ddb, String table, PayloadStore payloads, Clock clock, AppendRetryPolicy retry,
                          ArchivedBodies archived) {
        this(ddb, table, payloads, clock, retry, archived, null);
    }

    /**
     * @param itemLifetime how long after it is recorded an event's item expires (its TTL attribute):
     *                     the archive's hot window plus its grace; null: never
     */
    public DynamoEventLog(DynamoDbClient ddb, String table, PayloadStore payloads, Clock clock, AppendRetryPolicy retry,
                          ArchivedBodies archived, java.time.Duration itemLifetime) {
        this(ddb, table, payloads, clock, retry, archived, itemLifetime, true);
    }

    /** @param packs a request's events in one item; false: one item per event, as versions before packs wrote */
    public DynamoEventLog(DynamoDbClient ddb, String table, PayloadStore payloads, Clock clock, AppendRetryPolicy retry,
                          ArchivedBodies archived, java.time.Duration itemLifetime, boolean packs) {
        this(ddb, table, payloads, clock, retry, archived, itemLifetime, packs, dev.sessionlog.log.RecordedThrough.NONE);
    }

    /**
     * @param recorded how far the recorder has folded a session: appends never reuse those seqs, even
     *                 when TTL deleted their items before they were archived (asked only then)
     */
    public DynamoEventLog(DynamoDbClient ddb, String table, PayloadStore payloads, Clock clock, AppendRetryPolicy retry,
                          ArchivedBodies archived, java.time.Duration itemLifetime, boolean packs,
                          dev.sessionlog.log.RecordedThrough recorded) {
        this.ddb = ddb;
        this.table = table;
        this.payloads = payloads;
        this.archived = archived;
        this.clock = clock;
        this.heads = new Heads(ddb, table, clock, archived);
        this.appender = new DynamoAppender(ddb, table, payloads, clock, retry, new Heads(ddb, table, clock, archived, recorded),
                itemLifetime, packs);
        this.lifecycle = new DynamoLifecycle(ddb, table, clock, heads);
        this.eventIds = new EventIds(ddb, table);
    }

    @Override
    public AppendResult append(StreamKey key, AppendRequest request) {
        return appender.append(key, request);
    }

    @Override
    public Head headInfo(StreamKey key) {
        return heads.head(key);
    }

    /**
     * Whether an item follows the head: the next append's item is keyed head+1 (a head is always the
     * end of an item), an erasure's mark too. While nothing does, the read finds no item and costs the
     * least a read can (half a unit, eventually consistent: the next poll sees what this one missed);
     * the head's own item, a pack of a whole turn, is not read again at every poll.
     */
    @Override
    public boolean writtenAfter(StreamKey key, long headSeq) {
        QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq > :head")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":head", EventItems.seqValue(headSeq)))
                .limit(1).projectionExpression("seq").returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        return !r.items().isEmpty();
    }

    @Override
    public boolean isErased(StreamKey key) {
        return heads.isErased(key);
    }

    @Override
    public ForkResult fork(StreamKey source, String newSessionId, Long atSeq) {
        return lifecycle.fork(source, newSessionId, atSeq);
    }

    @Override
    public EraseRequest requestErase(StreamKey key) {
        return lifecycle.requestErase(key);
    }

    @Override
    public List<EventRecord> read(StreamKey key, long afterSeq, int limit) {
        return readPage(key, ReadSpec.after(afterSeq, limit, DEFAULT_READ_BYTES)).events();
    }

    /** An eventually consistent read: what is older than the hot window was written a day ago and never changes. */
    @Override
    public List<EventRecord> readSettled(StreamKey key, long afterSeq, int limit) {
        return readPage(key, ReadSpec.after(afterSeq, limit, DEFAULT_READ_BYTES), false).events();
    }

    @Override
    public EventPage readPage(StreamKey key, ReadSpec spec) {
        return readPage(key, spec, true);
    }

    /**
     * The session's own events in the page's range, in its direction: one Query (a type filter is
     * applied by DynamoDB, so no body of a dropped event is read from S3), more while DynamoDB's 1 MB
     * pages end before the page's limit.
     */
    private EventPage readPage(StreamKey key, ReadSpec spec, boolean consistent) {
        if (spec.isEmptyRange() || spec.limit() <= 0) {
            return new EventPage(List.of(), 0, spec.from(), true, 0);
        }
        long lo = spec.descending() ? Math.max(1, spec.bound()) : Math.max(1, spec.from() + 1);
        long hi = spec.descending() ? spec.from() - 1 : spec.bound();
        PageFill fill = new PageFill(spec, lo, hi);
        // A pack that starts below the range may reach into it: its events there come first going up,
        // last going down (then only if the page gets that far). Going up, it is looked for only when
        // no item starts the range (a reader that goes on from a head, or from a page that ended with
        // an item, finds one there: items are contiguous).
        boolean lookBelow = lo > 1 && !spec.descending();
        Map<String, AttributeValue> start = null;
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", AttributeValue.fromS(key.pk()),
                ":lo", EventItems.seqValue(lo), ":hi", EventItems.seqValue(hi)));
        String filter = typeFilter(spec.types(), values);
        while (true) {
            if (fill.remaining() <= 0) {
                return fill.page(records(fill.chosen), false);
            }
            Map<String, AttributeValue> exclusiveStart = start;
            QueryResponse page = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq BETWEEN :lo AND :hi")
                    .filterExpression(filter).expressionAttributeNames(filter == null ? null : Map.of("#type", EventItems.TYPE,
                            "#pack", EventItems.PACK))
                    .expressionAttributeValues(values).scanIndexForward(!spec.descending())
                    .consistentRead(consistent).limit(fill.remaining()).exclusiveStartKey(exclusiveStart)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            if (lookBelow) {
                lookBelow = false;
                boolean startsAtLo = !page.items().isEmpty() && EventItems.seq(page.items().get(0)) == lo;
                Map<String, AttributeValue> reaching = startsAtLo ? null : packReaching(key, lo, consistent);
                if (reaching != null && !fill.offer(reaching)) {
                    return fill.page(records(fill.chosen), false);
                }
            }
            for (Map<String, AttributeValue> item : page.items()) {
                // an item without an id is a fork's link or floor, or an erasure's mark: no event
                if (item.containsKey(EventItems.EVENT_ID) && !fill.offer(item)) {
                    return fill.page(records(fill.chosen), false);
                }
            }
            boolean more = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty();
            // DynamoDB counts the items it examined against Limit, filtered or not: those it filtered
            // out are single events (packs always pass the filter, their events are filtered here).
            fill.skipped(page.scannedCount() == null ? 0 : page.scannedCount() - page.items().size(),
                    more ? EventItems.seq(page.lastEvaluatedKey()) : -1);
            if (!more) {
                break;
            }
            start = page.lastEvaluatedKey();
        }
        if (spec.descending() && lo > 1) {
            Map<String, AttributeValue> below = packReaching(key, lo, consistent);
            if (below != null && !fill.offer(below)) {
                return fill.page(records(fill.chosen), false);
            }
        }
        // everything in the range was looked at, though the filter may have served none of it
        fill.lastExamined = spec.descending() ? lo : hi;
        return fill.page(records(fill.chosen), true);
    }

    /** The pack that starts below {@code seq} and holds it, or null (one Query of one item). */
    private Map<String, AttributeValue> packReaching(StreamKey key, long seq, boolean consistent) {
        QueryResponse r = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND seq BETWEEN :one AND :below")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()), ":one", EventItems.seqValue(1),
                        ":below", EventItems.seqValue(seq - 1)))
                .scanIndexForward(false).limit(1).consistentRead(consistent).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        Map<String, AttributeValue> item = r.items().isEmpty() ? null : r.items().get(0);
        return item != null && item.containsKey(EventItems.PACK) && EventItems.lastSeq(item) >= seq ? item : null;
    }

    /**
     * A page being filled from items: each item's events in the range, in the page's direction, up to
     * the page's limit of events looked at and its budget of bytes.
     */
    private static final class PageFill {
        private final ReadSpec spec;
        private final long lo;
        private final long hi;
        final List<Map<String, AttributeValue>> chosen = new ArrayList<>();
        private long bytes;
        private int examined;
        long lastExamined;

        PageFill(ReadSpec spec, long lo, long hi) {
            this.spec = spec;
            this.lo = lo;
            this.hi = hi;
            this.lastExamined = spec.from();
        }

        int remaining() {
            return spec.limit() - examined;
        }

        /** Takes the item's events; false when the page is full (the rest is the next page's). */
        boolean offer(Map<String, AttributeValue> item) {
            List<Map<String, AttributeValue>> events = EventItems.expand(item);
            if (spec.descending() && events.size() > 1) {
                events = new ArrayList<>(events);
                java.util.Collections.reverse(events);
            }
            for (Map<String, AttributeValue> event : events) {
                long seq = EventItems.seq(event);
                if (seq < lo || seq > hi) {
                    continue;
                }
                if (examined >= spec.limit()) {
                    return false;
                }
                if (spec.types().isEmpty() || spec.types().contains(event.get(EventItems.TYPE).s())) {
                    long size = estimatedSize(event);
                    if (!chosen.isEmpty() && bytes + size > spec.maxBytes()) {
                        return false; // the page stops here: what is read must fit the answer
                    }
                    chosen.add(event);
                    bytes += size;
                }
                examined++;
                lastExamined = seq;
            }
            return true;
        }

        /** Items the type filter dropped in DynamoDB, and where its page ended (-1: at the range's end). */
        void skipped(int filteredOut, long lastEvaluated) {
            examined += filteredOut;
            if (lastEvaluated >= 0) {
                // a pack's key is its first seq: what of it was looked at may reach further
                lastExamined = spec.descending() ? Math.min(lastExamined, lastEvaluated) : Math.max(lastExamined, lastEvaluated);
            }
        }

        EventPage page(List<EventRecord> records, boolean exhausted) {
            return new EventPage(records, 0, lastExamined, exhausted, examined);
        }
    }

    private static String typeFilter(Set<String> types, Map<String, AttributeValue> values) {
        if (types.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        int i = 0;
        for (String type : types) {
            values.put(":t" + i, AttributeValue.fromS(type));
            names.add(":t" + i++);
        }
        return "#type IN (" + String.join(", ", names) + ") OR attribute_exists(#pack)";
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
        // An expired item may not be the newest any more (TTL may have taken newer ones): not answered here.
        return r.items().stream().findFirst()
                .filter(item -> item.containsKey(EventItems.EVENT_ID) && !EventItems.hasExpired(item, clock.instant()))
                .map(item -> {
                    List<Map<String, AttributeValue>> events = EventItems.expand(item);
                    return EventItems.toRecord(events.get(events.size() - 1), payloads, archived);
                });
    }

    @Override
    public OptionalLong eventSeq(StreamKey key, String eventId) {
        Long seq = eventIds.find(key, List.of(eventId), Long.MAX_VALUE, null).get(eventId);
        return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
    }

    /** Sessions whose heads one page of children reads at most. */
    public static final int MAX_CHILD_SESSIONS_PER_PAGE = 100;

    /** The longest prefix of index entries that names at most {@code max} sessions. */
    static List<Map<String, AttributeValue>> withinSessions(List<Map<String, AttributeValue>> entries, int max) {
        java.util.Set<String> sessions = new java.util.HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            if (sessions.add(entries.get(i).get(EventItems.PK).s()) && sessions.size() > max) {
                return entries.subList(0, i);
            }
        }
        return entries;
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
        // Each child's session needs its head read (is it being erased?): a page takes children of at
        // most MAX_CHILD_SESSIONS_PER_PAGE sessions, so that one call cannot make a thousand queries.
        List<Map<String, AttributeValue>> indexed = withinSessions(page.items(), MAX_CHILD_SESSIONS_PER_PAGE);
        Map<String, Map<String, AttributeValue>> items = batchGet(indexed);
        // A session being erased is gone from every listing at once, though its items go later.
        java.util.Set<String> erasing = erasingAmong(items.values().stream().map(i -> i.get(EventItems.PK).s()).distinct().toList());
        items.values().removeIf(i -> erasing.contains(i.get(EventItems.PK).s()));
        List<Map<String, AttributeValue>> chosen = new ArrayList<>();
        long bytes = 0;
        boolean stoppedEarly = indexed.size() < page.items().size();
        for (Map<String, AttributeValue> keys : indexed) {
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
                stubSeqs.computeIfAbsent(item.get(EventItems.PK).s(), pk -> new ArrayList<>()).add(EventItems.eventSeq(item)));
        Map<String, Map<Long, JsonNode>> stubBodies = new HashMap<>();
        stubSeqs.forEach((pk, seqs) -> stubBodies.put(pk, archived.bodies(StreamKey.fromPk(pk), seqs)));
        List<EventRecord> hot = records(chosen.stream().filter(i -> !EventItems.isStub(i)).toList());
        List<ChildPage.Child> children = new ArrayList<>();
        int nextHot = 0;
        for (Map<String, AttributeValue> item : chosen) {
            String pk = item.get(EventItems.PK).s();
            EventRecord record = EventItems.isStub(item)
                    ? EventItems.toRecord(item, stubBodies.get(pk).get(EventItems.eventSeq(item)))
                    : hot.get(nextHot++);
            children.add(new ChildPage.Child(StreamKey.fromPk(pk).sessionId(), record, PageCursor.encode(childrenKey(item), "")));
        }
        Map<String, AttributeValue> last = stoppedEarly && !chosen.isEmpty() ? childrenKey(chosen.get(chosen.size() - 1))
                : indexed.size() < page.items().size() ? childrenKey(indexed.get(indexed.size() - 1))
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

    /** Which of these sessions (by partition key) are being erased: one head read each, all at once. */
    private java.util.Set<String> erasingAmong(List<String> pks) {
        List<CompletableFuture<String>> checks = pks.stream()
                .map(pk -> IoPool.supply(() -> heads.head(StreamKey.fromPk(pk)).erasing() ? pk : null)).toList();
        java.util.Set<String> erasing = new java.util.HashSet<>();
        for (CompletableFuture<String> check : checks) {
            String pk = IoPool.join(check);
            if (pk != null) {
                erasing.add(pk);
            }
        }
        return erasing;
    }
}
