package dev.sessionlog.log.dynamo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.ArchivedBodies;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.StreamKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
    /** The parent's session when it is not the event's own; absent otherwise. */
    public static final String PARENT_SESSION_ID = "parent_session_id";
    /** The uncompressed size of the event's JSON, known before its body is read (pages stop in time). */
    public static final String BODY_SIZE = "body_size";
    public static final String CHAIN = "chain";
    /** On the items of a fork's own events (and its link): where its inherited part lives, as {@link Lineage} JSON. */
    public static final String LINEAGE = "lineage";
    /** The mark an erasure puts after a session's head: no event can follow it. */
    public static final String ERASING = "erasing";
    public static final String ERASE_SHARD = "erase_shard";
    public static final String ERASE_AT = "erase_at";
    /** On an erasure's mark: the chain value of the session's last record, which its tombstone keeps. */
    public static final String ERASED_CHAIN = "erased_chain";
    /** A fork's link: the item at its fork seq, holding the chain value there (the source's). */
    public static final String FORK_LINK = "fork_link";
    /** A fork's floor, at seq 1: no first event of a new session can be written into the fork. */
    public static final String FORK_FLOOR = "fork_floor";
    /** On a source's registry item of one of its forks (a negative seq): the fork's session id. */
    public static final String FORKED_TO = "forked_to";
    public static final String FORK_SEQ = "fork_seq";
    /** On a fork's state item (seq 0) and link: its source session and when it was forked. */
    public static final String FORKED_FROM = "forked_from";
    public static final String FORKED_AT = "forked_at";
    /** On a session's state item (seq 0): how far its archive and the stubs left in its place go. */
    public static final String ARCHIVED_THROUGH = "archived_through";
    public static final String STUBBED_THROUGH = "stubbed_through";
    /** On a session's state item: the chain value at archived_through (the head once TTL took the items). */
    public static final String ARCHIVED_CHAIN = "archived_chain";
    /** On the state item: the highest seq the recorder has seen (events up to it exist, hot or archived). */
    public static final String INDEXED_THROUGH = "indexed_through";
    /**
     * On an event's item: when DynamoDB's TTL deletes it (epoch seconds): recorded_at plus the hot
     * window plus the archive's grace. Archive items, links, marks and tombstones never carry it.
     */
    public static final String EXPIRES_AT = "expires_at";
    public static final String PARENT_KEY = "parent_key";
    public static final String CHILD_KEY = "child_key";
    public static final String RECORDED_AT = "recorded_at";
    public static final String TYPE = "type";
    /** On a stub that archival left in place of an event moved to S3 (earlier versions), and on a link. */
    public static final String ARCHIVED = "archived";
    /**
     * On a child's link: the seq of the event it stands for. A link is written when TTL deletes an
     * archived event that has a parent, so that the parent's children stay findable; it never expires.
     * Its own seq is {@link #linkSeq}, below every registry item's (no read of events reaches it).
     */
    public static final String LINK_OF = "link_of";
    /**
     * On the item of several events of a request (a pack): all of them, gzipped together (a request's
     * events share words, a small event alone would not be compressed at all): a JSON array of
     * {"i": event_id, "t": type, "c": chain, "b": the event's JSON as text}, in seq order. The item's own
     * id, type and chain are its first event's (the id index has one entry per item); recorded_at,
     * expires_at and lineage are all of theirs. An item without it holds one event, as every item did
     * before packs.
     */
    public static final String PACK = "pack";
    /** On a pack: the seq and chain value of its last event (what the next append links to). */
    public static final String LAST_SEQ = "last_seq";
    public static final String LAST_CHAIN = "last_chain";

    /** Links' seqs start below this: fork registry items are in [-2^52, -1]. */
    static final long LINK_BASE = -(1L << 53);

    public static final String BY_EVENT_ID = "by_event_id";
    public static final String CHILDREN = "children";
    /** Sessions marked for erasure, for the scheduled run that erases them. */
    public static final String ERASE_DUE = "erase_due";

    private EventItems() {
    }

    /** The item of one record, without its body attributes. */
    static Map<String, AttributeValue> item(StreamKey key, EventRecord record) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, AttributeValue.fromS(key.pk()));
        item.put(SEQ, seqValue(record.seq()));
        item.put(EVENT_ID, AttributeValue.fromS(record.eventId()));
        item.put(RECORDED_AT, AttributeValue.fromN(Long.toString(record.recordedAt().toEpochMilli())));
        item.put(TYPE, AttributeValue.fromS(record.type()));
        if (record.parentEventId() != null) {
            String parentSession = record.parentSessionId() != null ? record.parentSessionId() : key.sessionId();
            item.put(PARENT_EVENT_ID, AttributeValue.fromS(record.parentEventId()));
            item.put(PARENT_KEY, AttributeValue.fromS(parentKey(key.tenant(), parentSession, record.parentEventId())));
            item.put(CHILD_KEY, AttributeValue.fromS(childKey(key.sessionId(), record.seq())));
            if (record.parentSessionId() != null) {
                item.put(PARENT_SESSION_ID, AttributeValue.fromS(record.parentSessionId()));
            }
        }
        if (record.chain() != null) {
            item.put(CHAIN, AttributeValue.fromS(record.chain()));
        }
        return item;
    }

    /**
     * One item for several events of a request (none with a parent, every body inline): the first
     * event's keys and ids, every event's body in {@link #PACK}, the head at its end.
     */
    static Map<String, AttributeValue> pack(List<Map<String, AttributeValue>> eventItems) {
        if (eventItems.size() == 1) {
            return new HashMap<>(eventItems.get(0));
        }
        com.fasterxml.jackson.databind.node.ArrayNode events = dev.sessionlog.event.Json.MAPPER.createArrayNode();
        for (Map<String, AttributeValue> item : eventItems) {
            com.fasterxml.jackson.databind.node.ObjectNode e = events.addObject().put("i", item.get(EVENT_ID).s())
                    .put("t", item.get(TYPE).s()).put("b", EventBodyCodec.inlineText(item));
            if (item.containsKey(CHAIN)) {
                e.put("c", item.get(CHAIN).s());
            }
        }
        Map<String, AttributeValue> pack = new HashMap<>(eventItems.get(0));
        pack.remove(EventBodyCodec.BODY);
        pack.remove(EventBodyCodec.BODY_GZ);
        pack.remove(BODY_SIZE);
        pack.put(PACK, AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromByteArrayUnsafe(
                EventBodyCodec.gzip(dev.sessionlog.event.Json.bytes(events)))));
        Map<String, AttributeValue> last = eventItems.get(eventItems.size() - 1);
        pack.put(LAST_SEQ, last.get(SEQ));
        if (last.containsKey(CHAIN)) {
            pack.put(LAST_CHAIN, last.get(CHAIN));
        }
        return pack;
    }

    /**
     * The items of the events an item holds, each as if it were the event's own: one for an item of
     * one event (as it is), one per event for a pack.
     */
    public static List<Map<String, AttributeValue>> expand(Map<String, AttributeValue> item) {
        AttributeValue packed = item.get(PACK);
        if (packed == null) {
            return List.of(item);
        }
        JsonNode events = dev.sessionlog.event.Json.parse(EventBodyCodec.gunzip(packed.b().asByteArrayUnsafe()));
        Map<String, AttributeValue> shared = new HashMap<>();
        for (String name : new String[] {PK, RECORDED_AT, EXPIRES_AT, LINEAGE}) {
            if (item.containsKey(name)) {
                shared.put(name, item.get(name));
            }
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>(events.size());
        long seq = seq(item);
        for (JsonNode e : events) {
            Map<String, AttributeValue> event = new HashMap<>(shared);
            event.put(SEQ, seqValue(seq++));
            event.put(EVENT_ID, AttributeValue.fromS(e.get("i").asText()));
            event.put(TYPE, AttributeValue.fromS(e.get("t").asText()));
            if (e.hasNonNull("c")) {
                event.put(CHAIN, AttributeValue.fromS(e.get("c").asText()));
            }
            String body = e.get("b").asText();
            event.put(EventBodyCodec.BODY, AttributeValue.fromS(body));
            event.put(BODY_SIZE, AttributeValue.fromN(Integer.toString(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)));
            items.add(event);
        }
        return items;
    }

    /** The seq of the last event an item holds: its own, or a pack's last. */
    public static long lastSeq(Map<String, AttributeValue> item) {
        AttributeValue last = item.get(LAST_SEQ);
        return last != null ? Long.parseLong(last.n()) : seq(item);
    }

    /** The chain value of the last event an item holds, or null. */
    static String lastChain(Map<String, AttributeValue> item) {
        AttributeValue chain = item.containsKey(LAST_SEQ) ? item.get(LAST_CHAIN) : item.get(CHAIN);
        return chain == null ? null : chain.s();
    }

    static Map<String, AttributeValue> key(StreamKey stream, long seq) {
        return Map.of(PK, AttributeValue.fromS(stream.pk()), SEQ, seqValue(seq));
    }

    static AttributeValue seqValue(long seq) {
        return AttributeValue.fromN(Long.toString(seq));
    }

    /** A parent event as the children index knows it: by tenant, session and id (ids are unique per session only). */
    static String parentKey(String tenant, String parentSessionId, String parentEventId) {
        return StreamKey.encodeTenant(tenant) + "#" + parentSessionId + "#" + parentEventId;
    }

    /** Orders a parent's children by session, then seq. */
    static String childKey(String sessionId, long seq) {
        return sessionId + "#" + String.format("%020d", seq);
    }

    public static long seq(Map<String, AttributeValue> item) {
        return Long.parseLong(item.get(SEQ).n());
    }

    /** The seq of the event an item holds: its own, or for a link the linked event's. */
    public static long eventSeq(Map<String, AttributeValue> item) {
        AttributeValue of = item.get(LINK_OF);
        return of != null ? Long.parseLong(of.n()) : seq(item);
    }

    /** A link's seq: below every registry item's and every event's. */
    public static long linkSeq(long eventSeq) {
        return LINK_BASE - eventSeq;
    }

    /** The link that keeps a child findable once TTL deleted its item: the stub of the item, at {@link #linkSeq}. */
    public static Map<String, AttributeValue> link(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> link = stub(item);
        link.put(SEQ, seqValue(linkSeq(seq(item))));
        link.put(LINK_OF, item.get(SEQ));
        return link;
    }

    public static boolean hasParent(Map<String, AttributeValue> item) {
        return item.containsKey(PARENT_KEY);
    }

    public static EventRecord toRecord(Map<String, AttributeValue> item, PayloadStore payloads) {
        return toRecord(item, payloads, ArchivedBodies.NONE);
    }

    public static EventRecord toRecord(Map<String, AttributeValue> item, PayloadStore payloads, ArchivedBodies archived) {
        JsonNode body = isStub(item) ? archived.body(StreamKey.fromPk(item.get(PK).s()), eventSeq(item))
                : EventBodyCodec.decode(item, payloads);
        return toRecord(item, body);
    }

    /** The record of an item whose body is already at hand. */
    public static EventRecord toRecord(Map<String, AttributeValue> item, JsonNode body) {
        return new EventRecord(
                eventSeq(item),
                item.get(EVENT_ID).s(),
                text(item, PARENT_EVENT_ID),
                text(item, PARENT_SESSION_ID),
                Instant.ofEpochMilli(Long.parseLong(item.get(RECORDED_AT).n())),
                body,
                text(item, CHAIN));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    /** The uncompressed size of the item's event JSON, or -1 when the item predates body_size. */
    public static long bodySize(Map<String, AttributeValue> item) {
        AttributeValue v = item.get(BODY_SIZE);
        return v == null ? -1 : Long.parseLong(v.n());
    }

    /** An event's item that TTL may already have deleted the newer items of: its expiry has passed. */
    public static boolean hasExpired(Map<String, AttributeValue> item, java.time.Instant now) {
        AttributeValue at = item.get(EXPIRES_AT);
        return at != null && Long.parseLong(at.n()) <= now.getEpochSecond();
    }

    public static boolean isStub(Map<String, AttributeValue> item) {
        return item.containsKey(ARCHIVED);
    }

    /** The stub of an archived record: the same as {@link #stub(Map)} of its item. */
    public static Map<String, AttributeValue> stub(StreamKey key, EventRecord record, int bodySize) {
        Map<String, AttributeValue> stub = item(key, record);
        stub.put(BODY_SIZE, AttributeValue.fromN(Integer.toString(bodySize)));
        stub.put(ARCHIVED, AttributeValue.fromBool(true));
        return stub;
    }

    /** What archival leaves of an event: its keys, ids, time and chain, without the body. */
    public static Map<String, AttributeValue> stub(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> stub = new HashMap<>();
        for (String name : new String[] {PK, SEQ, EVENT_ID, PARENT_EVENT_ID, PARENT_SESSION_ID, PARENT_KEY, CHILD_KEY,
                RECORDED_AT, TYPE, CHAIN, BODY_SIZE}) {
            if (item.containsKey(name)) {
                stub.put(name, item.get(name));
            }
        }
        stub.put(ARCHIVED, AttributeValue.fromBool(true));
        return stub;
    }
}
