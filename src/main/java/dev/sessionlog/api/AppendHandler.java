package dev.sessionlog.api;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.AppendRequestParser;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.AppendedEvent;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.StreamKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/sessions/{session_id}/events}. */
public final class AppendHandler {

    private final EventLog log;
    private final AppendRequestParser parser;
    private final TenantResolver tenants;

    public AppendHandler(EventLog log, AppendRequestParser parser, TenantResolver tenants) {
        this.log = log;
        this.parser = parser;
        this.tenants = tenants;
    }

    public HttpApiResponse handle(HttpApiEvent event) {
        try {
            ApiPath path = ApiPath.of(event);
            if (!path.matches("sessions", "*", "events")) {
                throw new ApiException(404, "route_not_found", "no route " + event.method() + " " + event.path());
            }
            if (!"POST".equals(event.method())) {
                throw new ApiException(405, "method_not_allowed", event.method() + " is not allowed here; use POST");
            }
            String tenant = tenants.tenant(event);
            String sessionId = path.id(1, "session_id");
            AppendRequest request = parser.parse(sessionId, event.bodyText());
            AppendResult result = log.append(new StreamKey(tenant, sessionId), request);
            return HttpApiResponse.json(result.wroteAny() ? 201 : 200, body(result));
        } catch (RuntimeException e) {
            return ErrorResponses.of(e, event.requestId());
        }
    }

    private static Map<String, Object> body(AppendResult result) {
        List<Map<String, Object>> events = new ArrayList<>(result.events().size());
        for (AppendedEvent e : result.events()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("event_id", e.eventId());
            one.put("seq", e.seq());
            one.put("duplicate", e.duplicate());
            events.add(one);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("session_id", result.sessionId());
        body.put("head_seq", result.headSeq());
        body.put("events", events);
        return body;
    }
}
