package dev.sessionlog.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.PageCursor;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.SessionItems;
import dev.sessionlog.sessions.SessionStore;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@code GET /v1/sessions?agent_id=&active_since=&limit=&cursor=}: newest activity first. */
final class SessionList {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;

    private SessionList() {
    }

    static HttpApiResponse page(SessionStore store, String tenant, HttpApiEvent event) {
        String agentId = event.query("agent_id");
        if (agentId != null && (agentId.isEmpty() || agentId.length() > 256)) {
            throw ApiException.invalid("agent_id must be 1 to 256 characters");
        }
        Instant since = null;
        String sinceText = event.query("active_since");
        if (sinceText != null && !sinceText.isEmpty()) {
            try {
                since = Instant.parse(sinceText);
            } catch (DateTimeParseException e) {
                throw ApiException.invalid("active_since must be an ISO-8601 UTC time such as 2026-11-21T10:00:00Z, was \"" + sinceText + "\"");
            }
        }
        int limit = QueryParams.limit(event, DEFAULT_LIMIT, MAX_LIMIT);
        String partitionAttribute = agentId == null ? SessionItems.TENANT_KEY : SessionItems.AGENT_KEY;
        String partitionValue = agentId == null ? StreamKey.encodeTenant(tenant) : StreamKey.encodeTenant(tenant) + "#" + agentId;
        Map<String, AttributeValue> start = PageCursor.decode(event.query("cursor"), partitionAttribute, partitionValue);
        SessionStore.SessionPage page = store.list(tenant, agentId, since, limit, start);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode sessions = body.putArray("sessions");
        for (Map<String, AttributeValue> item : page.items()) {
            ObjectNode s = sessions.addObject();
            s.put("session_id", item.get(SessionItems.SESSION_ID).s());
            putText(s, "agent_id", item.get(SessionItems.AGENT_ID));
            putText(s, "created_at", item.get(SessionItems.CREATED_AT));
            putText(s, "last_active_at", item.get(SessionItems.LAST_ACTIVE_AT));
            s.put("head_seq", Long.parseLong(item.get(SessionItems.RECORDED_THROUGH).n()));
            s.put("loop_count", Integer.parseInt(item.get(SessionItems.LOOP_COUNT).n()));
            s.put("status", item.get(SessionItems.STATUS).s());
            s.set("usage", Json.parse(item.get(SessionItems.USAGE).s().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        String next = PageCursor.encode(page.lastKey());
        if (next == null) {
            body.putNull("next_cursor");
        } else {
            body.put("next_cursor", next);
        }
        return HttpApiResponse.json(200, body);
    }

    private static void putText(ObjectNode node, String name, AttributeValue value) {
        if (value == null) {
            node.putNull(name);
        } else {
            node.put(name, value.s());
        }
    }
}
