package dev.sessionlog.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.sessions.SessionItems;
import dev.sessionlog.sessions.SessionListing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@code GET /v1/sessions?agent_id=&active_since=&forked_from=&limit=&cursor=}: newest activity (last_event_at) first. */
final class SessionList {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;
    static final int MAX_AGENT_ID_CHARS = 1024;
    /** The times an index can sort as text: RFC 3339's four-digit years. */
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private SessionList() {
    }

    static HttpApiResponse page(SessionListing listing, String tenant, HttpApiEvent event) {
        String agentId = event.query("agent_id");
        if (agentId != null && (agentId.isEmpty() || agentId.length() > MAX_AGENT_ID_CHARS)) {
            throw ApiException.invalid("agent_id must be 1 to " + MAX_AGENT_ID_CHARS + " characters");
        }
        Instant since = null;
        String sinceText = event.query("active_since");
        if (sinceText != null && !sinceText.isEmpty()) {
            try {
                since = Instant.parse(sinceText);
            } catch (DateTimeParseException e) {
                since = null;
            }
            if (since == null || since.isBefore(EARLIEST) || since.isAfter(LATEST)) {
                throw ApiException.invalid("active_since must be an ISO-8601 UTC time from year 0000 to 9999 such as "
                        + "2026-11-21T10:00:00Z, was \"" + QueryHandler.abbreviate(sinceText) + "\"");
            }
        }
        int limit = QueryParams.limit(event, DEFAULT_LIMIT, MAX_LIMIT);
        String forkedFrom = event.query("forked_from");
        if (forkedFrom != null) {
            String problem = dev.sessionlog.event.Ids.problem("forked_from", forkedFrom);
            if (problem != null) {
                throw ApiException.invalid(problem);
            }
            if (agentId != null) {
                throw ApiException.invalid("forked_from and agent_id cannot be combined: list the forks, then filter them");
            }
        }
        SessionListing.Page page = forkedFrom != null ? listing.forksOf(tenant, forkedFrom, since, limit, event.query("cursor"))
                : listing.list(tenant, agentId, since, limit, event.query("cursor"));
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode sessions = body.putArray("sessions");
        for (Map<String, AttributeValue> item : page.items()) {
            ObjectNode s = sessions.addObject();
            s.put("session_id", item.get(SessionItems.SESSION_ID).s());
            putText(s, "agent_id", item.get(SessionItems.AGENT_ID));
            putText(s, "created_at", item.get(SessionItems.CREATED_AT));
            putText(s, "last_active_at", item.get(SessionItems.LAST_ACTIVE_AT));
            putText(s, "last_event_at", item.get(SessionItems.ACTIVITY));
            s.put("head_seq", Long.parseLong(item.get(SessionItems.RECORDED_THROUGH).n()));
            s.put("loop_count", Integer.parseInt(item.get(SessionItems.LOOP_COUNT).n()));
            s.put("status", item.get(SessionItems.STATUS).s());
            s.set("usage", Json.parse(item.get(SessionItems.USAGE).s().getBytes(StandardCharsets.UTF_8)));
            if (item.get(SessionItems.FORKED_FROM) == null) {
                s.putNull("forked_from");
            } else {
                s.putObject("forked_from").put("session_id", item.get(SessionItems.FORKED_FROM).s())
                        .put("seq", Long.parseLong(item.get(SessionItems.FORK_SEQ).n()));
            }
        }
        if (page.nextCursor() == null) {
            body.putNull("next_cursor");
        } else {
            body.put("next_cursor", page.nextCursor());
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
