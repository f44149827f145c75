package dev.sessionlog.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The wire shape of an event record, shared by the read endpoints and the archive's JSON Lines:
 * {@code {"seq","event_id","parent_event_id","recorded_at","event"}}.
 */
public final class EventRecordJson {

    /** ISO-8601 UTC with exactly three fraction digits, as the contract shows. */
    public static final DateTimeFormatter RECORDED_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private EventRecordJson() {
    }

    public static ObjectNode toJson(EventRecord record) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("seq", record.seq());
        node.put("event_id", record.eventId());
        if (record.parentEventId() == null) {
            node.putNull("parent_event_id");
        } else {
            node.put("parent_event_id", record.parentEventId());
        }
        node.put("recorded_at", RECORDED_AT.format(record.recordedAt()));
        node.set("event", record.event());
        return node;
    }

    public static EventRecord fromJson(JsonNode node) {
        JsonNode parent = node.get("parent_event_id");
        return new EventRecord(
                node.get("seq").asLong(),
                node.get("event_id").asText(),
                parent == null || parent.isNull() ? null : parent.asText(),
                Instant.parse(node.get("recorded_at").asText()),
                node.get("event"));
    }
}
