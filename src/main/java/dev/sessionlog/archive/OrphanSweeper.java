package dev.sessionlog.archive;

import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.sessions.SessionStore;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finds the S3 objects nothing refers to and removes them, so that nothing is left behind for ever:
 * large bodies of appends that failed in a way their request could not clean up (a timeout between
 * the object and the item), bodies of archived events a crashed run did not remove, and session
 * states orphaned between their object and their item. Each run looks at a bounded number of
 * objects, from where the last run stopped (the position is kept in the events table), and only at
 * objects older than {@link #GRACE}: no request or save lasts that long, so an object that young
 * may still be about to be referred to. Bodies wait longer ({@link #payloadGrace}): one whose item
 * TTL deleted before it was archived is still needed until the rescue has written it to the archive.
 */
public final class OrphanSweeper {

    private static final Logger LOG = Logger.getLogger(OrphanSweeper.class);
    /** Far beyond any function's timeout: an object this old that nothing refers to never will be. */
    public static final Duration GRACE = Duration.ofHours(1);
    /** The sweeper's own item: a key no session can have (a session id holds no '/'). */
    static final String POSITION_PK = "#sweeper/positions";
    private static final Pattern STATE = Pattern.compile("sessions/tenant=([^/]+)/session=([^/]+)/[^/]+$");

    public record Report(int examined, int removed) {
    }

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final DynamoDbClient dynamo;
    private final String eventsTable;
    private final PayloadStore payloads;
    private final SessionStore sessions;
    private final Clock clock;
    private final Duration payloadGrace;

    /**
     * @param itemLifetime how long an event's item lives (hot window + grace): a body is kept a day
     *                     longer than that, because an item TTL deleted before it was archived is
     *                     rescued from its stream record, which names the body (ArchiveRescue)
     */
    public OrphanSweeper(S3Client s3, String bucket, String prefix, DynamoDbClient dynamo, String eventsTable,
                         PayloadStore payloads, SessionStore sessions, Clock clock, Duration itemLifetime) {
        this.payloadGrace = payloadGrace(itemLifetime);
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.dynamo = dynamo;
        this.eventsTable = eventsTable;
        this.payloads = payloads;
        this.sessions = sessions;
        this.clock = clock;
    }

    /** The session whose state objects were looked at last, and what its state needs (empty: unreadable). */
    private StreamKey lastStateKey;
    private Optional<java.util.Set<String>> lastNeeded = Optional.empty();

    /** Looks at up to {@code maxObjects} objects of each kind. */
    public Report sweep(int maxObjects) {
        lastStateKey = null; // a state may have changed since the last run
        Report payloadReport = sweep("payloads/", "payloads_after", maxObjects, payloadGrace, this::isReferencedPayload);
        Report stateReport = sweep("sessions/", "sessions_after", maxObjects, GRACE, this::isReferencedState);
        return new Report(payloadReport.examined() + stateReport.examined(), payloadReport.removed() + stateReport.removed());
    }

    /** How old an unreferenced body must be to go: a day past the life of the item that referred to it. */
    public static Duration payloadGrace(Duration itemLifetime) {
        Duration kept = itemLifetime.plus(Duration.ofDays(1));
        return kept.compareTo(GRACE) > 0 ? kept : GRACE;
    }

    private Report sweep(String kind, String positionAttribute, int maxObjects, Duration grace,
                         java.util.function.Predicate<String> referenced) {
        String after = position(positionAttribute);
        Instant youngest = clock.instant().minus(grace);
        int examined = 0;
        int removed = 0;
        String last = after;
        boolean reachedEnd = false;
        String token = null;
        do {
            String continuation = token;
            String startAfter = after.isEmpty() ? null : after;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + kind).startAfter(startAfter)
                    .continuationToken(continuation).maxKeys(Math.min(1000, maxObjects)));
            for (S3Object o : page.contents()) {
                if (examined >= maxObjects) {
                    break;
                }
                examined++;
                last = o.key();
                if (o.lastModified().isBefore(youngest) && !referenced.test(o.key())) {
                    s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
                    removed++;
                    LOG.infof("removed %s: nothing refers to it", o.key());
                }
            }
            token = Boolean.TRUE.equals(page.isTruncated()) && examined < maxObjects ? page.nextContinuationToken() : null;
            reachedEnd = !Boolean.TRUE.equals(page.isTruncated()) && examined < maxObjects;
        } while (token != null);
        savePosition(positionAttribute, reachedEnd ? "" : last); // from the start again once the end is reached
        return new Report(examined, removed);
    }

    /** A payload is referred to by the item of its event (the key names session and event id). */
    private boolean isReferencedPayload(String objectKey) {
        PayloadStore.Owner owner = payloads.owner(objectKey);
        if (owner == null) {
            return true; // not ours to judge
        }
        QueryResponse byId = dynamo.query(b -> b.tableName(eventsTable).indexName(EventItems.BY_EVENT_ID).consistentRead(true)
                .keyConditionExpression("pk = :pk AND event_id = :id")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(owner.key().pk()), ":id", AttributeValue.fromS(owner.eventId())))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        for (Map<String, AttributeValue> keys : byId.items()) {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(eventsTable).consistentRead(true)
                    .key(Map.of(EventItems.PK, keys.get(EventItems.PK), EventItems.SEQ, keys.get(EventItems.SEQ)))
                    .projectionExpression("body_ref").returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
            AttributeValue ref = item == null ? null : item.get("body_ref");
            if (ref != null && objectKey.equals(ref.s())) {
                return true;
            }
        }
        return false;
    }

    /** A session state (or a part of one) is referred to by its session's stored state. */
    private boolean isReferencedState(String objectKey) {
        Matcher m = STATE.matcher(objectKey.substring(prefix.length()));
        if (!m.matches()) {
            return true;
        }
        StreamKey key = new StreamKey(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8), m.group(2));
        // A session's objects are listed together (its state object and its parts): its state is read once for them.
        if (!key.equals(lastStateKey)) {
            lastStateKey = key;
            lastNeeded = sessions.neededObjects(key);
        }
        return lastNeeded.map(needed -> needed.contains(objectKey)).orElse(true);
    }

    private String position(String attribute) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(eventsTable).consistentRead(true)
                .key(positionKey()).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).item();
        AttributeValue v = item == null ? null : item.get(attribute);
        return v == null ? "" : v.s();
    }

    private void savePosition(String attribute, String value) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":v", AttributeValue.fromS(value));
        dynamo.updateItem(b -> b.tableName(eventsTable).key(positionKey()).updateExpression("SET " + attribute + " = :v")
                .expressionAttributeValues(values).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    private static Map<String, AttributeValue> positionKey() {
        return Map.of(EventItems.PK, AttributeValue.fromS(POSITION_PK), EventItems.SEQ, AttributeValue.fromN("0"));
    }
}
