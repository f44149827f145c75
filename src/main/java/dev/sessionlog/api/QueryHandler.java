package dev.sessionlog.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.ChildPage;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.TimeBudget;
import dev.sessionlog.observe.RequestLog;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.sessions.SessionReader;
import dev.sessionlog.sessions.SessionListing;
import java.time.Duration;
import java.util.List;

/** The read routes of the contract: events, head, children, sessions and loops of one tenant. */
public final class QueryHandler {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final EventLog log;
    private final SessionReader sessions;
    private final SessionListing listing;
    private final TenantResolver tenants;
    private final Duration timeBudget;

    public QueryHandler(EventLog log, SessionReader sessions, SessionListing listing, TenantResolver tenants,
                        Duration timeBudget) {
        this.log = log;
        this.sessions = sessions;
        this.listing = listing;
        this.tenants = tenants;
        this.timeBudget = timeBudget;
    }

    public HttpApiResponse handle(HttpApiEvent event) {
        try {
            TimeBudget.start(timeBudget);
            RequestLog.start(event.requestId(), null, null);
            ApiPath path = ApiPath.of(event);
            Route route = Route.of(path, event.method());
            if (route != Route.APPEND && !"GET".equals(event.method())) {
                throw new ApiException(405, "method_not_allowed", event.method() + " is not allowed on " + event.path()
                        + "; use GET");
            }
            String tenant = tenants.tenant(event);
            RequestLog.start(event.requestId(), tenant, path.segments().size() > 1 ? path.segment(1) : null);
            return switch (route) {
                case EVENTS -> events(event, new StreamKey(tenant, path.id(1, "session_id")));
                case HEAD -> head(new StreamKey(tenant, path.id(1, "session_id")));
                case CHILDREN -> children(event, new StreamKey(tenant, path.id(1, "session_id")), path.id(3, "event_id"));
                case SESSION -> session(new StreamKey(tenant, path.id(1, "session_id")));
                case LOOP -> loop(event, new StreamKey(tenant, path.id(1, "session_id")), path.segment(3));
                case SESSIONS -> SessionList.page(listing, tenant, event);
                case APPEND -> throw new ApiException(405, "method_not_allowed", event.method() + " is not allowed on "
                        + event.path() + "; use POST");
            };
        } catch (RuntimeException e) {
            return ErrorResponses.of(e, event.requestId());
        } finally {
            RequestLog.end();
            TimeBudget.end();
        }
    }

    /** The routes of the API, by path; the method is checked by the handler that serves them. */
    enum Route {
        EVENTS, HEAD, CHILDREN, SESSION, LOOP, SESSIONS, APPEND;

        static Route of(ApiPath path, String method) {
            if (path.matches("sessions", "*", "events")) {
                return "POST".equals(method) ? APPEND : EVENTS;
            }
            if (path.matches("sessions", "*", "head")) {
                return HEAD;
            }
            if (path.matches("sessions", "*", "events", "*", "children")) {
                return CHILDREN;
            }
            if (path.matches("sessions", "*")) {
                return SESSION;
            }
            if (path.matches("sessions", "*", "loops", "*")) {
                return LOOP;
            }
            if (path.matches("sessions")) {
                return SESSIONS;
            }
            throw new ApiException(404, "route_not_found", "no route " + method + " /v1/" + String.join("/", path.segments()));
        }
    }

    private HttpApiResponse events(HttpApiEvent event, StreamKey key) {
        long afterSeq = QueryParams.longParam(event, "after_seq", 0, 0, Long.MAX_VALUE);
        int limit = QueryParams.limit(event, DEFAULT_LIMIT, MAX_LIMIT);
        long head = log.headSeq(key);
        if (head == 0) {
            throw ApiException.sessionNotFound(key.sessionId());
        }
        EventPage page = afterSeq >= head ? new EventPage(List.of(), log.archivedThrough(key))
                : log.readPage(key, afterSeq, limit, ResponseSize.MAX_PAGE_READ_BYTES);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("session_id", key.sessionId());
        body.put("head_seq", head);
        body.put("archived_through_seq", page.archivedThrough());
        ArrayNode events = Json.MAPPER.createArrayNode();
        long last = fit(page.events(), events, ResponseSize.MAX_ESCAPED_BODY_BYTES);
        if (!events.isEmpty() && last < head) {
            body.put("next_after_seq", last);
        } else {
            body.putNull("next_after_seq");
        }
        body.set("events", events);
        return HttpApiResponse.json(200, body);
    }

    /** Adds records while the answer fits; returns the last seq added. */
    private static long fit(List<EventRecord> records, ArrayNode into, long maxBytes) {
        long size = 0;
        long last = -1;
        for (EventRecord r : records) {
            ObjectNode json = EventRecordJson.toJson(r);
            long one = ResponseSize.escapedBytes(json) + 1;
            if (!into.isEmpty() && size + one > maxBytes) {
                break;
            }
            into.add(json);
            size += one;
            last = r.seq();
        }
        return last;
    }

    private HttpApiResponse session(StreamKey key) {
        ObjectNode session = sessions.session(key).orElseThrow(() -> ApiException.sessionNotFound(key.sessionId()));
        session.put("head_seq", Math.max(log.headSeq(key), session.path("recorded_through_seq").asLong()));
        session.put("archived_through_seq", log.archivedThrough(key));
        return HttpApiResponse.json(200, SessionFitting.session(session, ResponseSize.MAX_ESCAPED_BODY_BYTES));
    }

    private HttpApiResponse loop(HttpApiEvent event, StreamKey key, String loopId) {
        SessionFold fold = sessions.fold(key).orElseThrow(() -> ApiException.sessionNotFound(key.sessionId()));
        ObjectNode loop = fold.toLoopJson(loopId);
        if (loop == null) {
            throw new ApiException(404, "loop_not_found", "no loop \"" + loopId + "\" in session \"" + key.sessionId() + "\"");
        }
        String part = event.query("part");
        if (part == null || part.isEmpty()) {
            if (event.query("after") != null) {
                throw ApiException.invalid("after is only meaningful with part=messages or part=turns");
            }
            return HttpApiResponse.json(200, SessionFitting.loop(loop, ResponseSize.MAX_ESCAPED_BODY_BYTES));
        }
        if (!part.equals("messages") && !part.equals("turns")) {
            throw ApiException.invalid("part must be messages or turns, was \"" + abbreviate(part) + "\"");
        }
        JsonNode items = loop.path(part);
        int after = (int) QueryParams.longParam(event, "after", 0, 0, Integer.MAX_VALUE);
        int limit = QueryParams.limit(event, DEFAULT_LIMIT, MAX_LIMIT);
        List<JsonNode> page = SessionFitting.page(items, after, limit, ResponseSize.MAX_ESCAPED_BODY_BYTES);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("session_id", key.sessionId());
        body.put("loop_id", loopId);
        body.put("part", part);
        body.put("after", after);
        body.putArray(part).addAll(page);
        int next = after + page.size();
        if (next < items.size()) {
            body.put("next_after", next);
        } else {
            body.putNull("next_after");
        }
        return HttpApiResponse.json(200, body);
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
        ChildPage page = log.children(key, eventId, limit, cursor == null || cursor.isEmpty() ? null : cursor,
                ResponseSize.MAX_PAGE_READ_BYTES);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("session_id", key.sessionId());
        body.put("event_id", eventId);
        ArrayNode children = body.putArray("children");
        String next = page.nextCursor();
        long size = 0;
        for (int i = 0; i < page.children().size(); i++) {
            ChildPage.Child child = page.children().get(i);
            ObjectNode node = Json.MAPPER.createObjectNode();
            node.put("session_id", child.sessionId());
            node.setAll(EventRecordJson.toJson(child.record()));
            long one = ResponseSize.escapedBytes(node) + 1;
            if (i > 0 && size + one > ResponseSize.MAX_ESCAPED_BODY_BYTES) {
                next = page.children().get(i - 1).cursorAfter(); // the answer is full: go on after the last one served
                break;
            }
            children.add(node);
            size += one;
        }
        if (next == null) {
            body.putNull("next_cursor");
        } else {
            body.put("next_cursor", next);
        }
        return HttpApiResponse.json(200, body);
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
