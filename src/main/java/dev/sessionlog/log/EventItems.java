package dev.sessionlog.log;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.EventRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The events table's item layout. Key: {@code pk} = tenant#session, {@code seq}. The local index
 * {@value #BY_EVENT_ID} finds an event by id with a consistent read (idempotency); the sparse
 * global index {@value #CHILDREN} finds the tenant's events by parent_event_id.
 */
public final class EventItems {

    public static final String PK = "pk";
    public static final String SEQ = "seq";
    public static final String EVENT_ID = "event_id";
    public static final String PARENT_EVENT_ID = "parent_event_id";
    public static final String PARENT_KEY = "parent_key";
    public static final String CHILD_KEY = "child_key";
    public static final String RECORDED_AT = "recorded_at";
    public static final String TYPE = "type";
    /** On a stub that archival left in place of an event moved to S3. */
    public static final String ARCHIVED = "archived";

    public static final String BY_EVENT_ID = "by_event_id";
    public static final String CHILDREN = "children";

    private EventItems() {
    }

    /** The item of one new event, without its body attribute. */
    static Map<String, AttributeValue> item(StreamKey key, long seq, String eventId, String parentEventId,
                                            String type, Instant recordedAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, AttributeValue.fromS(key.pk()));
        item.put(SEQ, seqValue(seq));
        item.put(EVENT_ID, AttributeValue.fromS(eventId));
        item.put(RECORDED_AT, AttributeValue.fromN(Long.toString(recordedAt.toEpochMilli())));
        item.put(TYPE, AttributeValue.fromS(type));
        if (parentEventId != null) {
            item.put(PARENT_EVENT_ID, AttributeValue.fromS(parentEventId));
            item.put(PARENT_KEY, AttributeValue.fromS(parentKey(key.tenant(), parentEventId)));
            item.put(CHILD_KEY, AttributeValue.fromS(childKey(key.sessionId(), seq)));
        }
        return item;
    }

    static Map<String, AttributeValue> key(StreamKey stream, long seq) {
        return Map.of(PK, AttributeValue.fromS(stream.pk()), SEQ, seqValue(seq));
    }

    static AttributeValue seqValue(long seq) {
        return AttributeValue.fromN(Long.toString(seq));
    }

    static String parentKey(String tenant, String parentEventId) {
        return StreamKey.encodeTenant(tenant) + "#" + parentEventId;
    }

    /** Orders a parent's children by session, then seq. */
    static String childKey(String sessionId, long seq) {
        return sessionId + "#" + String.format("%020d", seq);
    }

    public static long seq(Map<String, AttributeValue> item) {
        return Long.parseLong(item.get(SEQ).n());
    }

    public static EventRecord toRecord(Map<String, AttributeValue> item, PayloadStore payloads) {
        return toRecord(item, payloads, ArchivedBodies.NONE);
    }

    public static EventRecord toRecord(Map<String, AttributeValue> item, PayloadStore payloads, ArchivedBodies archived) {
        JsonNode body = isStub(item) ? archived.body(StreamKey.fromPk(item.get(PK).s()), seq(item))
                : EventBodyCodec.decode(item, payloads);
        return toRecord(item, body);
    }

    /** The record of an item whose body is already at hand. */
    public static EventRecord toRecord(Map<String, AttributeValue> item, JsonNode body) {
        AttributeValue parent = item.get(PARENT_EVENT_ID);
        return new EventRecord(
                seq(item),
                item.get(EVENT_ID).s(),
                parent == null ? null : parent.s(),
                Instant.ofEpochMilli(Long.parseLong(item.get(RECORDED_AT).n())),
                body);
    }

    public static boolean isStub(Map<String, AttributeValue> item) {
        return item.containsKey(ARCHIVED);
    }

    /** The stub of an archived record: the same as {@link #stub(Map)} of its item. */
    public static Map<String, AttributeValue> stub(StreamKey key, EventRecord record) {
        Map<String, AttributeValue> stub = item(key, record.seq(), record.eventId(), record.parentEventId(), record.type(),
                record.recordedAt());
        stub.put(ARCHIVED, AttributeValue.fromBool(true));
        return stub;
    }

    /** What archival leaves of an event: its keys, ids and time, without the body. */
    public static Map<String, AttributeValue> stub(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> stub = new HashMap<>();
        for (String name : new String[] {PK, SEQ, EVENT_ID, PARENT_EVENT_ID, PARENT_KEY, CHILD_KEY, RECORDED_AT, TYPE}) {
            if (item.containsKey(name)) {
                stub.put(name, item.get(name));
            }
        }
        stub.put(ARCHIVED, AttributeValue.fromBool(true));
        return stub;
    }
}
