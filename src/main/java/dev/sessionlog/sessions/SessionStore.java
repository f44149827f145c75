package dev.sessionlog.sessions;

import static dev.sessionlog.sessions.SessionItems.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventBodyCodec;
import dev.sessionlog.recorder.RecorderOptions;
import dev.sessionlog.recorder.SessionFold;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Materialized sessions on DynamoDB: the fold's state (gzip; in S3 when a session outgrows an
 * item) and its summary, written only when nobody else wrote since it was read. Closed loops leave
 * the state for parts in S3, each written once (see SessionFold#freezable); a save deletes the parts
 * and state object its state no longer needs once it has landed.
 */
public final class SessionStore {

    /**
     * A session's fold and the version it was read at (0: not stored yet).
     *
     * @param stateRef the S3 object the state was read from, or null when it was in the item
     * @param partRefs the frozen parts that state referred to
     * @param activity the session's activity as the list's indexes hold it, or null
     * @param dueMarkedAt when the newest event known to be on the archive's due index was recorded, or
     *                    null (never marked, or saved by a version before this one): see
     *                    {@link dev.sessionlog.archive.ArchiveMeta#certainlyDue}
     */
    public record Stored(SessionFold fold, long version, String stateRef, List<String> partRefs, String activity,
                         Instant dueMarkedAt) {
        public static Stored none(SessionFold fold) {
            return new Stored(fold, 0, null, List.of(), null, null);
        }
    }

    /**
     * How far the session's activity (the sort key of every index of the sessions table) may lag its
     * last event: a save within this of the stored activity leaves it, and with it every index entry's
     * key, as it is. The list's order and its last_event_at are this coarse; the session's own
     * last_event_at is exact.
     */
    public static final java.time.Duration ACTIVITY_STEP = java.time.Duration.ofMinutes(1);

    /** Another invocation saved the session after it was read; nothing was written. */
    public static final class ConcurrentUpdateException extends RuntimeException {
        ConcurrentUpdateException(StreamKey key) {
            super("session " + key.sessionId() + " was updated concurrently");
        }
    }

    /**
     * States above this (gzip) go to S3. The state is rewritten on every batch, and DynamoDB bills a
     * write per KB while an S3 PUT costs the same at any size (about 8 write units' price): past
     * 8 KiB, S3 is the cheaper place (the cost benchmark: $0.03 per million events less than at 16 KiB).
     */
    static final int MAX_INLINE_STATE_BYTES = 8 * 1024;
    /** The state's JSON: the product's mapper, so that numbers in messages keep their exact form. */
    private static final ObjectMapper STATE_JSON = Json.MAPPER;

    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final String table;
    private final String bucket;
    private final String prefix;
    private final RecorderOptions options;
    private final boolean frozenLoops;

    public SessionStore(DynamoDbClient dynamo, S3Client s3, String table, String bucket, String prefix, RecorderOptions options) {
        this(dynamo, s3, table, bucket, prefix, options, true);
    }

    /** @param frozenLoops closed loops go to parts of their own (false: a state keeps every loop, as before parts) */
    public SessionStore(DynamoDbClient dynamo, S3Client s3, String table, String bucket, String prefix, RecorderOptions options,
                        boolean frozenLoops) {
        this.frozenLoops = frozenLoops;
        this.dynamo = dynamo;
        this.s3 = s3;
        this.table = table;
        this.bucket = bucket;
        this.prefix = prefix;
        this.options = options;
    }

    public RecorderOptions options() {
        return options;
    }

    public Optional<Stored> load(StreamKey key) {
        return load(key, false);
    }

    /**
     * The session with every loop in it, frozen parts read back: what serving it whole needs. A part
     * that a newer save replaced in the meantime makes it read the newer state.
     */
    public Optional<Stored> loadWhole(StreamKey key) {
        return load(key, true);
    }

    private Optional<Stored> load(StreamKey key, boolean whole) {
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                    .key(Map.of(PK, AttributeValue.fromS(key.pk()))).consistentRead(true)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
            if (item == null || item.isEmpty() || item.containsKey(ERASING)) {
                return Optional.empty(); // never recorded, or being erased
            }
            String ref = item.containsKey(STATE_REF) ? item.get(STATE_REF).s() : null;
            byte[] gz;
            try {
                gz = ref == null ? item.get(STATE_GZ).b().asByteArrayUnsafe()
                        : s3.getObjectAsBytes(b -> b.bucket(bucket).key(ref)).asByteArrayUnsafe();
            } catch (NoSuchKeyException replaced) {
                // A writer saved a newer version between our two reads and deleted this object.
                if (attempt >= 3) {
                    throw replaced;
                }
                continue;
            }
            SessionFold fold;
            try {
                JsonNode state = STATE_JSON.readTree(EventBodyCodec.gunzip(gz));
                fold = SessionFold.fromStateJson(state, options, parts(key));
            } catch (IOException e) {
                throw new UncheckedIOException("stored state of " + key.sessionId() + " is not readable", e);
            }
            List<String> partRefs = fold.frozenRefs();
            if (whole) {
                try {
                    fold.thaw();
                } catch (NoSuchKeyException replaced) {
                    if (attempt >= 3) {
                        throw replaced;
                    }
                    continue;
                }
            }
            return Optional.of(new Stored(fold, Long.parseLong(item.get(VERSION).n()), ref, partRefs,
                    item.containsKey(ACTIVITY) ? item.get(ACTIVITY).s() : null,
                    item.containsKey(DUE_MARKED_AT) ? Instant.ofEpochMilli(Long.parseLong(item.get(DUE_MARKED_AT).n())) : null));
        }
    }

    /**
     * How far the recorder has folded the session (0: never recorded): one consistent
     * read of an attribute of its item. What an append asks when TTL has been at the session's items.
     */
    public long recordedThrough(StreamKey key) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(PK, AttributeValue.fromS(key.pk()))).consistentRead(true)
                .projectionExpression(RECORDED_THROUGH).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        AttributeValue through = item == null ? null : item.get(RECORDED_THROUGH);
        return through == null || through.n() == null ? 0 : Long.parseLong(through.n());
    }

    /**
     * Takes a session off every list and index at once and marks its item erasing (its erasure removes
     * the item later). The mark is made even for a session never recorded, and the version moves on: a
     * recorder's save of what it read before, or its first save, is refused, and reading again it finds
     * no session to fold. So the recorder reads no head to know about erasures while the item is there.
     */
    public void hideFromLists(StreamKey key) {
        dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, AttributeValue.fromS(key.pk())))
                .updateExpression("SET " + ERASING + " = :true REMOVE "
                        + String.join(", ", TENANT_KEY, AGENT_KEY, FORK_KEY, OPEN_SHARD, RETENTION_SHARD) + " ADD " + VERSION + " :one")
                .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true), ":one", AttributeValue.fromN("1")))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    /** Removes the session's item: what its erasure does last with this table. */
    public void delete(StreamKey key) {
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of(PK, AttributeValue.fromS(key.pk())))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    /**
     * Saves the fold as the next version of {@code read}, if the stored version is still the one read.
     *
     * @param dueMarkedAt when the newest event known to be on the archive's due index was recorded (kept
     *                    in the item), or null
     * @throws ConcurrentUpdateException when another invocation saved in between
     */
    public void save(StreamKey key, SessionFold fold, Stored read, Instant dueMarkedAt) {
        long readVersion = read.version();
        long version = readVersion + 1;
        // Closed loops enough to fill a part are stored apart, once: the state item keeps the rest.
        String partRef = null;
        if (!frozenLoops) {
            fold.thaw(); // written as versions before parts wrote it (its parts go once the save is done)
        }
        Optional<SessionFold.Freezable> freezable = frozenLoops ? fold.freezable(MIN_FROZEN_PART_BYTES) : Optional.empty();
        if (freezable.isPresent()) {
            partRef = (freezable.get().turnsOf() == null ? "loops-" : "turns-") + version + "-" + UUID.randomUUID().toString().substring(0, 8);
            String objectKey = partKey(key, partRef);
            byte[] part = EventBodyCodec.gzip(freezable.get().json());
            s3.putObject(b -> b.bucket(bucket).key(objectKey), RequestBody.fromBytes(part));
            fold.frozen(freezable.get(), partRef, parts(key));
        }
        byte[] gz;
        try {
            gz = EventBodyCodec.gzip(STATE_JSON.writeValueAsBytes(fold.toStateJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, AttributeValue> item = summaryItem(key, fold, read.activity());
        if (dueMarkedAt != null) {
            item.put(DUE_MARKED_AT, AttributeValue.fromN(Long.toString(dueMarkedAt.toEpochMilli())));
        }
        item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
        String writeId = UUID.randomUUID().toString();
        item.put(WRITE_ID, AttributeValue.fromS(writeId));
        String stateRef = null;
        if (gz.length <= MAX_INLINE_STATE_BYTES) {
            item.put(STATE_GZ, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(gz)));
        } else {
            // Named by version and a nonce: a racing writer's object never overwrites the one the item points to.
            stateRef = stateKey(key, version);
            String objectKey = stateRef;
            s3.putObject(b -> b.bucket(bucket).key(objectKey), RequestBody.fromBytes(gz));
            item.put(STATE_REF, AttributeValue.fromS(stateRef));
        }
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression(readVersion == 0 ? "attribute_not_exists(pk)" : "version = :v")
                    .expressionAttributeValues(readVersion == 0 ? null
                            : Map.of(":v", AttributeValue.fromN(Long.toString(readVersion))))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        } catch (ConditionalCheckFailedException lost) {
            // The SDK retries a put whose answer was lost; the retry then fails on the item the first try
            // wrote. That item is ours (our write id): the save succeeded, and its state object is in use.
            Map<String, AttributeValue> stored = lost.item();
            boolean ours = stored != null && stored.get(WRITE_ID) != null && writeId.equals(stored.get(WRITE_ID).s());
            if (!ours) {
                if (stateRef != null) {
                    String orphan = stateRef;
                    s3.deleteObject(b -> b.bucket(bucket).key(orphan)); // ours, never referenced
                }
                // Our new part stays: if our put landed and its answer was lost, the state that won may
                // have been saved on top of ours and carry the part on. The orphan sweep removes it
                // after its grace when no state names it.
                throw new ConcurrentUpdateException(key);
            }
        }
        if (read.stateRef() != null) {
            // The object of the version this one replaces is unreferenced now.
            s3.deleteObject(b -> b.bucket(bucket).key(read.stateRef()));
        }
        List<String> kept = fold.frozenRefs();
        for (String part : read.partRefs()) {
            if (!kept.contains(part)) {
                // brought back into this state (it holds their loops itself now, or in parts of its
                // own), or a rebuild's state replaced it
                s3.deleteObject(b -> b.bucket(bucket).key(partKey(key, part)));
            }
        }
    }

    /**
     * The least JSON of closed loops stored as a part of their own. Parts are written once and
     * read back only when an event names one of their loops or the whole session is served; the
     * state keeps a few bytes per part and two per loop, so with parts this large it stays a few KB
     * however long the session grows.
     */
    static final int MIN_FROZEN_PART_BYTES = 64 * 1024;

    private String partKey(StreamKey key, String partRef) {
        return statePrefix(key) + partRef + ".json.gz";
    }

    /** The session's frozen parts, read from S3; several at once in parallel (a GET's latency, not one per part). */
    private dev.sessionlog.recorder.FrozenPartReader parts(StreamKey key) {
        return new dev.sessionlog.recorder.FrozenPartReader() {
            @Override
            public JsonNode read(String ref) {
                return readPart(key, ref);
            }

            @Override
            public List<JsonNode> readAll(List<String> refs) {
                List<java.util.concurrent.CompletableFuture<JsonNode>> reads = refs.stream()
                        .map(ref -> dev.sessionlog.log.IoPool.supply(() -> readPart(key, ref))).toList();
                return reads.stream().map(dev.sessionlog.log.IoPool::join).toList();
            }
        };
    }

    private JsonNode readPart(StreamKey key, String partRef) {
        byte[] gz = s3.getObjectAsBytes(b -> b.bucket(bucket).key(partKey(key, partRef))).asByteArrayUnsafe();
        try {
            return STATE_JSON.readTree(EventBodyCodec.gunzip(gz));
        } catch (IOException e) {
            throw new UncheckedIOException("frozen part " + partRef + " of " + key.sessionId() + " is not readable", e);
        }
    }

    /**
     * The S3 objects the session's stored state needs (its state object, and its frozen parts): what
     * the orphan sweeper keeps. Empty when the state cannot be read: then nothing of it may go.
     */
    public Optional<java.util.Set<String>> neededObjects(StreamKey key) {
        Optional<Stored> stored;
        try {
            stored = load(key);
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
        java.util.Set<String> needed = new java.util.HashSet<>();
        stored.ifPresent(s -> {
            if (s.stateRef() != null) {
                needed.add(s.stateRef());
            }
            s.fold().frozenRefs().forEach(ref -> needed.add(partKey(key, ref)));
        });
        return Optional.of(needed);
    }

    /** Whether the session's stored state needs this S3 object (see {@link #neededObjects}). */
    public boolean needsObject(StreamKey key, String objectKey) {
        return neededObjects(key).map(needed -> needed.contains(objectKey)).orElse(true);
    }

    private String stateKey(StreamKey key, long version) {
        return statePrefix(key) + "state-" + String.format("%020d", version) + "-" + UUID.randomUUID() + ".json.gz";
    }

    /** Where the session's state objects are: what its erasure deletes. */
    public String statePrefix(StreamKey key) {
        return prefix + "sessions/tenant=" + StreamKey.encodeTenant(key.tenant()) + "/session=" + key.sessionId() + "/";
    }

    /** Sessions whose activity is before {@code before}, from every shard of the retention index. */
    public List<StreamKey> inactiveSince(Instant before, int limitPerShard) {
        return activeBefore(SessionItems.RETENTION_DUE, RETENTION_SHARD, "retention#", SessionItems.RETENTION_SHARDS, before, limitPerShard);
    }

    private static Map<String, AttributeValue> summaryItem(StreamKey key, SessionFold fold, String storedActivity) {
        ObjectNode summary = fold.toSummaryJson();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, AttributeValue.fromS(key.pk()));
        item.put(SESSION_ID, AttributeValue.fromS(key.sessionId()));
        item.put(RECORDED_THROUGH, AttributeValue.fromN(Long.toString(fold.recordedThroughSeq())));
        // The server's clock: always a time DynamoDB can sort and this code can write, whatever events say.
        Instant lastEvent = fold.lastEventAt() == null ? Instant.EPOCH : fold.lastEventAt();
        String activity = activity(lastEvent, storedActivity);
        int shard = SessionItems.listShard(key.sessionId());
        item.put(TENANT_KEY, AttributeValue.fromS(SessionItems.tenantKey(key.tenant(), shard)));
        item.put(ACTIVITY, AttributeValue.fromS(activity));
        String lastActive = text(summary.get("last_active_at"), null);
        if (lastActive != null) {
            item.put(LAST_ACTIVE_AT, AttributeValue.fromS(lastActive));
        }
        String agentId = text(summary.get("agent_id"), null);
        if (agentId != null) {
            item.put(AGENT_ID, AttributeValue.fromS(agentId.length() <= SessionItems.MAX_SUMMARY_AGENT_ID_CHARS ? agentId
                    : agentId.substring(0, SessionItems.MAX_SUMMARY_AGENT_ID_CHARS)));
            item.put(AGENT_KEY, AttributeValue.fromS(SessionItems.agentKey(key.tenant(), agentId, shard)));
        }
        String createdAt = text(summary.get("created_at"), null);
        if (createdAt != null) {
            item.put(CREATED_AT, AttributeValue.fromS(createdAt));
        }
        item.put(RETENTION_SHARD, AttributeValue.fromS(SessionItems.retentionShard(key.pk())));
        JsonNode forkedFrom = summary.get("forked_from");
        if (forkedFrom != null && forkedFrom.isObject()) {
            item.put(FORKED_FROM, AttributeValue.fromS(forkedFrom.get("session_id").asText()));
            item.put(FORK_SEQ, AttributeValue.fromN(Long.toString(forkedFrom.get("seq").asLong())));
            item.put(FORK_KEY, AttributeValue.fromS(SessionItems.forkKey(key.tenant(), forkedFrom.get("session_id").asText())));
        }
        item.put(LOOP_COUNT, AttributeValue.fromN(Integer.toString(fold.loopCount())));
        item.put(STATUS, AttributeValue.fromS(fold.status()));
        item.put(USAGE, AttributeValue.fromS(summary.path("usage").toString()));
        if (fold.hasOpenLoops()) {
            item.put(OPEN_SHARD, AttributeValue.fromS("open#" + Math.floorMod(key.pk().hashCode(), OPEN_SHARDS)));
        }
        return item;
    }

    /**
     * The activity to store: the last event's time, unless the stored activity is at most
     * {@link #ACTIVITY_STEP} older, which then stays (so a busy session's saves move no index entry).
     */
    static String activity(Instant lastEvent, String storedActivity) {
        if (storedActivity != null) {
            Instant stored = Instant.from(EventRecordJson.RECORDED_AT.parse(storedActivity));
            if (!lastEvent.isBefore(stored) && lastEvent.isBefore(stored.plus(ACTIVITY_STEP))) {
                return storedActivity;
            }
        }
        return EventRecordJson.RECORDED_AT.format(lastEvent);
    }

    private static String text(JsonNode node, String fallback) {
        return node == null || node.isNull() ? fallback : node.asText();
    }

    /** Sessions with open loops whose last activity is before {@code idleBefore}, from every shard. */
    public List<StreamKey> openAndIdle(Instant idleBefore, int limitPerShard) {
        return activeBefore(OPEN_BY_ACTIVITY, OPEN_SHARD, "open#", OPEN_SHARDS, idleBefore, limitPerShard);
    }

    /** The sessions of a sharded sparse index (shard key {@code prefix + n}) whose activity is before {@code before}. */
    private List<StreamKey> activeBefore(String index, String shardAttribute, String prefix, int shards, Instant before,
                                         int limitPerShard) {
        List<StreamKey> keys = new ArrayList<>();
        String cutoff = EventRecordJson.RECORDED_AT.format(before);
        for (int shard = 0; shard < shards; shard++) {
            String shardKey = prefix + shard;
            QueryResponse r = dynamo.query(b -> b.tableName(table).indexName(index)
                    .keyConditionExpression(shardAttribute + " = :s AND " + ACTIVITY + " < :before")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(shardKey), ":before", AttributeValue.fromS(cutoff)))
                    .limit(limitPerShard).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            r.items().forEach(i -> keys.add(StreamKey.fromPk(i.get(PK).s())));
        }
        return keys;
    }
}
