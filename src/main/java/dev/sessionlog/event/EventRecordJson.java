package dev.sessionlog.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The wire shape of an event record, shared by the read endpoints and the archive's JSON Lines:
 * {@code {"seq","event_id","parent_event_id","parent_session_id","recorded_at","chain","event"}}.
 */
public final class EventRecordJson {

    /** ISO-8601 UTC with exactly three fraction digits, as the contract shows. */
    public static final DateTimeFormatter RECORDED_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private EventRecordJson() {
    }

    public static ObjectNode toJson(EventRecord record) {
        return node(record, true);
    }

    /** The record as the chain covers it: every field but {@code chain}, nulls present. */
    public static ObjectNode withoutChain(EventRecord record) {
        return node(record, false);
    }

    private static ObjectNode node(EventRecord record, boolean withChain) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("seq", record.seq());
        node.put("event_id", record.eventId());
        putText(node, "parent_event_id", record.parentEventId());
        putText(node, "parent_session_id", record.parentSessionId());
        node.put("recorded_at", RECORDED_AT.format(record.recordedAt()));
        if (withChain) {
            putText(node, "chain", record.chain());
        }
        node.set("event", record.event());
        return node;
    }

    private static void putText(ObjectNode node, String name, String value) {
        if (value == null) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }

    public static EventRecord fromJson(JsonNode node) {
        return new EventRecord(
                node.get("seq").asLong(),
                node.get("event_id").asText(),
                text(node, "parent_event_id"),
                text(node, "parent_session_id"),
                Instant.parse(node.get("recorded_at").asText()),
                node.get("event"),
                text(node, "chain"));
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }
}
