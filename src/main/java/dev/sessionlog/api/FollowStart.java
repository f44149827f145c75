package dev.sessionlog.api;

import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.follow.FollowTickets;
import dev.sessionlog.follow.FollowTopic;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.StreamKey;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/sessions/{session_id}/follow}: where to follow the session, and a one-time ticket
 * for it ({@code POST /v1/follow}: for the tenant's list of sessions). The tenant is the caller's (the HTTP API's authorizer checked it); the ticket carries it
 * to the WebSocket connection. A session not yet appended to may be followed; an erased one may not.
 */
public final class FollowStart {

    private final FollowTickets tickets;
    private final String url;
    private final EventLog log;

    /** @param url the WebSocket URL; "" when following is not deployed (the route then answers 404 follow_unavailable) */
    public FollowStart(FollowTickets tickets, String url, EventLog log) {
        this.tickets = tickets;
        this.url = url;
        this.log = log;
    }

    HttpApiResponse start(StreamKey session) {
        requireAvailable();
        if (log.erasedOrErasing(session, log.headInfo(session))) {
            throw ApiException.sessionNotFound(session.sessionId());
        }
        return ticket(FollowTopic.session(session), session.sessionId());
    }

    /** {@code POST /v1/follow}: a ticket to follow the tenant's list of sessions. */
    HttpApiResponse startList(String tenant) {
        requireAvailable();
        return ticket(FollowTopic.tenantList(tenant), null);
    }

    private void requireAvailable() {
        if (url.isEmpty() || tickets == null) {
            throw new ApiException(404, "follow_unavailable",
                    "this deployment pushes no events (no FOLLOW_URL): follow with GET .../events?wait=20");
        }
    }

    private HttpApiResponse ticket(FollowTopic topic, String sessionId) {
        FollowTickets.Ticket ticket = tickets.issue(topic);
        String connect = url + (url.contains("?") ? "&" : "?") + "ticket=" + URLEncoder.encode(ticket.token(), StandardCharsets.UTF_8);
        Map<String, Object> body = new LinkedHashMap<>();
        if (sessionId != null) {
            body.put("session_id", sessionId);
        }
        body.put("url", connect);
        body.put("expires_at", EventRecordJson.RECORDED_AT.format(ticket.expiresAt()));
        return HttpApiResponse.json(201, body);
    }
}
