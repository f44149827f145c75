package dev.sessionlog.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.ChildPage;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.observe.RequestLog;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.sessions.SessionReader;
import dev.sessionlog.sessions.SessionStore;
import java.util.List;

/** The read routes of the contract: events, head and children of one tenant's sessions. */
public final class QueryHandler {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final EventLog log;
    private final SessionReader sessions;
    private final SessionStore sessionStore;
    private final TenantResolver tenants;

    public QueryHandler(EventLog log, SessionReader sessions, SessionStore sessionStore, TenantResolver tenants) {
        this.log = log;
        this.sessions = sessions;
        this.sessionStore = sessionStore;
        this.tenants = tenants;
    }

    public HttpApiResponse handle(HttpApiEvent event) {
        try {
            RequestLog.start(event.requestId(), null, null);
            ApiPath path = ApiPath.of(event);
            if (!"GET".equals(event.method())) {
                throw new ApiException(405, "method_not_allowed", event.method() + " is not allowed here; use GET");
            }
            String tenant = tenants.tenant(event);
            RequestLog.start(event.requestId(), tenant, path.segments().size() > 1 ? path.segment(1) : null);
            if (path.matches("sessions", "*", "events")) {
                return events(event, new StreamKey(tenant, path.id(1, "session_id")));
            }
            if (path.matches("sessions", "*", "head")) {
                return head(new StreamKey(tenant, path.id(1, "session_id")));
            }
            if (path.matches("sessions", "*", "events", "*", "children")) {
                return children(event, new StreamKey(tenant, path.id(1, "session_id")), path.id(3, "event_id"));
            }
            if (path.matches("sessions", "*")) {
                return session(new StreamKey(tenant, path.id(1, "session_id")));
            }
            if (path.matches("sessions", "*", "loops", "*")) {
                return loop(new StreamKey(tenant, path.id(1, "session_id")), path.segment(3));
            }
            if (path.matches("sessions")) {
                return SessionList.page(sessionStore, tenant, event);
            }
            throw new ApiException(404, "route_not_found", "no route GET " + event.path());
        } catch (RuntimeException e) {
            return ErrorResponses.of(e, event.requestId());
        } finally {
            RequestLog.end();
        }
    }

    private HttpApiResponse events(HttpApiEvent event, StreamKey key) {
        long afterSeq = QueryParams.longParam(event, "after_seq", 0, 0, Long.MAX_VALUE);
        int limit = QueryParams.limit(event, DEFAULT_LIMIT, MAX_LIMIT);
        long head = log.headSeq(key);
        if (head == 0) {
            throw ApiException.sessionNotFound(key.sessionId());
        }
        EventPage page = afterSeq >= head ? new EventPage(List.of(), log.archivedThrough(key)) : log.readPage(key, afterSeq, limit);
        List<EventRecord> records = page.events();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("session_id", key.sessionId());
        body.put("head_seq", head);
        body.put("archived_through_seq", page.archivedThrough());
        long last = records.isEmpty() ? afterSeq : records.get(records.size() - 1).seq();
        if (!records.isEmpty() && last < head) {
            body.put("next_after_seq", last);
        } else {
            body.putNull("next_after_seq");
        }
        ArrayNode events = body.putArray("events");
        records.forEach(r -> events.add(EventRecordJson.toJson(r)));
        return HttpApiResponse.json(200, body);
    }

    private HttpApiResponse session(StreamKey key) {
        ObjectNode session = sessions.session(key).orElseThrow(() -> ApiException.sessionNotFound(key.sessionId()));
        session.put("head_seq", Math.max(log.headSeq(key), session.path("recorded_through_seq").asLong()));
        session.put("archived_through_seq", log.archivedThrough(key));
        return HttpApiResponse.json(200, session);
    }

    private HttpApiResponse loop(StreamKey key, String loopId) {
        SessionFold fold = sessions.fold(key).orElseThrow(() -> ApiException.sessionNotFound(key.sessionId()));
        ObjectNode loop = fold.toLoopJson(loopId);
        if (loop == null) {
            throw new ApiException(404, "loop_not_found", "no loop \"" + loopId + "\" in session \"" + key.sessionId() + "\"");
        }
        return HttpApiResponse.json(200, loop);
    }

    private HttpApiResponse head(StreamKey key) {
        EventRecord head = log.head(key).orElseThrow(() -> ApiException.sessionNotFound(key.sessionId()));
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("session_id", key.sessionId());
        body.put("head_seq", head.seq());
        body.set("event", EventRecordJson.toJson(head));
        return HttpApiResponse.json(200, body);
    }

    private HttpApiResponse children(HttpApiEvent event, StreamKey key, String eventId) {
        int limit = QueryParams.limit(event, DEFAULT_LIMIT, MAX_LIMIT);
        String cursor = event.query("cursor");
        if (log.eventSeq(key, eventId).isEmpty()) {
            if (log.headSeq(key) == 0) {
                throw ApiException.sessionNotFound(key.sessionId());
            }
            throw new ApiException(404, "event_not_found", "no event \"" + eventId + "\" in session \"" + key.sessionId() + "\"");
        }
        ChildPage page = log.children(key.tenant(), eventId, limit, cursor == null || cursor.isEmpty() ? null : cursor);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("session_id", key.sessionId());
        body.put("event_id", eventId);
        ArrayNode children = body.putArray("children");
        for (ChildPage.Child child : page.children()) {
            ObjectNode node = Json.MAPPER.createObjectNode();
            node.put("session_id", child.sessionId());
            node.setAll(EventRecordJson.toJson(child.record()));
            children.add(node);
        }
        if (page.nextCursor() == null) {
            body.putNull("next_cursor");
        } else {
            body.put("next_cursor", page.nextCursor());
        }
        return HttpApiResponse.json(200, body);
    }
}
