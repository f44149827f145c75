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
import dev.sessionlog.log.Head;
import dev.sessionlog.log.ReadSpec;
import java.util.Set;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.TimeBudget;
import dev.sessionlog.observe.RequestLog;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.sessions.SessionReader;
import dev.sessionlog.sessions.SessionListing;
import dev.sessionlog.sessions.WaitSlots;
import java.time.Duration;
import java.util.List;

/** The read routes of the contract: events, head, children, sessions and loops of one tenant. */
public final class QueryHandler {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(QueryHandler.class);

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final EventLog log;
    private final SessionReader sessions;
    private final SessionListing listing;
    private final TenantResolver tenants;
    private final Duration timeBudget;
    private final VerifyHandler verify;
    private final TailWaiter tail;
    private final FollowStart follow;

    public QueryHandler(EventLog log, SessionReader sessions, SessionListing listing, TenantResolver tenants,
                        Duration timeBudget, VerifyHandler verify, WaitSlots waitSlots, java.time.Clock clock, FollowStart follow) {
        this.verify = verify;
        this.follow = follow;
        this.tail = new TailWaiter(log, waitSlots, clock, TailWaiter.Sleeper.REAL);
        this.log = log;
        this.sessions = sessions;
        this.listing = listing;
        this.tenants = tenants;
        this.timeBudget = timeBudget;
    }

    public HttpApiResponse handle(HttpApiEvent event) {
        try {
            HttpApiResponse response = serve(event);
            LOG.infof("%s %s: %d", event.method(), event.path(), response.statusCode);
            return response;
        } finally {
            RequestLog.end();
            TimeBudget.end();
        }
    }

    private HttpApiResponse serve(HttpApiEvent event) {
        try {
            TimeBudget.start(timeBudget);
            RequestLog.start(event.requestId(), null, null);
            if (UiAssets.isUiPath(event.path())) {
                return UiAssets.serve(event);
            }
            ApiPath path = ApiPath.of(event);
            Route route = Route.of(path, event.method());
            if (route.isWrite()) {
                throw new ApiException(405, "method_not_allowed", event.method() + " " + event.path()
                        + " is served by the write function; this one serves the GET routes");
            }
            String tenant = tenants.tenant(event, route);
            RequestLog.start(event.requestId(), tenant, path.segments().size() > 1 ? path.segment(1) : null);
            return switch (route) {
                case EVENTS -> events(event, new StreamKey(tenant, path.id(1, "session_id")));
                case HEAD -> head(new StreamKey(tenant, path.id(1, "session_id")));
                case CHILDREN -> children(event, new StreamKey(tenant, path.id(1, "session_id")), path.id(3, "event_id"));
                case SESSION -> session(new StreamKey(tenant, path.id(1, "session_id")));
                case LOOP -> loop(event, new StreamKey(tenant, path.id(1, "session_id")), path.segment(3));
                case SESSIONS -> SessionList.page(listing, tenant, event);
                case VERIFY -> verify.handle(event, new StreamKey(tenant, path.id(1, "session_id")));
                case FOLLOW -> follow.start(new StreamKey(tenant, path.id(1, "session_id")));
                case FOLLOW_SESSIONS -> follow.startList(tenant);
                default -> throw new IllegalStateException("no reader for " + route);
            };
        } catch (RuntimeException e) {
            return ErrorResponses.of(e, event.requestId());
        }
    }

    private HttpApiResponse events(HttpApiEvent event, StreamKey key) {
        boolean descending = descending(event);
        Set<String> types = QueryParams.types(event);
        int limit = QueryParams.limit(event, DEFAULT_LIMIT, MAX_LIMIT);
        Long wait = QueryParams.optionalLong(event, "wait", 1, TailWaiter.MAX_WAIT_SECONDS);
        if (wait != null && descending) {
            throw ApiException.invalid("wait is for ascending reads (a live tail); order=desc does not wait");
        }
        // every parameter is checked before a wait takes a slot and holds the request
        if (descending && event.query("after_seq") != null) {
            throw ApiException.invalid("after_seq is for ascending pages; with order=desc, use before_seq");
        }
        if (!descending && event.query("before_seq") != null) {
            throw ApiException.invalid("before_seq is for order=desc; ascending pages use after_seq");
        }
        long after = QueryParams.longParam(event, "after_seq", 0, 0, Long.MAX_VALUE);
        Head head = wait == null ? existing(key) : tail.await(key, after, wait.intValue(), waitable(key));
        ReadSpec spec;
        if (descending) {
            long before = QueryParams.longParam(event, "before_seq", head.seq() + 1, 1, Long.MAX_VALUE);
            spec = new ReadSpec(true, Math.min(before, head.seq() + 1), 1, limit, ResponseSize.MAX_PAGE_READ_BYTES, types);
        } else {
            spec = new ReadSpec(false, after, head.seq(), limit, ResponseSize.MAX_PAGE_READ_BYTES, types);
        }
        EventPage page = spec.isEmptyRange() ? EventPage.empty(log.archivedThrough(key)) : log.readPage(key, spec);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("session_id", key.sessionId());
        body.put("head_seq", head.seq());
        body.put("archived_through_seq", page.archivedThrough());
        ArrayNode events = Json.MAPPER.createArrayNode();
        long lastServed = fit(page.events(), events, ResponseSize.MAX_ESCAPED_BODY_BYTES);
        boolean trimmed = events.size() < page.events().size();
        // The next page goes on after the last event looked at (served, or passed over by the type filter),
        // or after the last one served when the answer was full.
        Long next = trimmed ? Long.valueOf(lastServed) : page.exhausted() ? null : Long.valueOf(page.lastExamined());
        String cursor = descending ? "next_before_seq" : "next_after_seq";
        if (wait != null) {
            // a live tail goes on from the last seq looked at, even at the head: never null
            long from = spec.from();
            body.put(cursor, next != null ? next : Math.max(from, page.exhausted() ? Math.max(head.seq(), from) : from));
        } else if (next == null || (descending ? next <= 1 : next >= head.seq())) {
            body.putNull(cursor);
        } else {
            body.put(cursor, next);
        }
        body.set("events", events);
        return HttpApiResponse.json(200, body);
    }

    private static boolean descending(HttpApiEvent event) {
        String order = event.query("order");
        if (order == null || order.isEmpty() || order.equals("asc")) {
            return false;
        }
        if (order.equals("desc")) {
            return true;
        }
        throw ApiException.invalid("order must be asc or desc, was \"" + abbreviate(order) + "\"");
    }

    /** The head a wait starts from: 404 only for a session being erased; one that is not there yet is waited for. */
    private Head waitable(StreamKey key) {
        Head head = log.headInfo(key);
        if (head.erasing()) {
            throw ApiException.sessionNotFound(key.sessionId());
        }
        return head;
    }

    /** The session's head; 404 for a session that is not there, or is being erased (or was). */
    private Head existing(StreamKey key) {
        Head head = log.headInfo(key);
        if (!head.exists()) {
            throw ApiException.sessionNotFound(key.sessionId());
        }
        return head;
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
        Head head = existing(key);
        ObjectNode session = sessions.session(key).orElseThrow(() -> ApiException.sessionNotFound(key.sessionId()));
        session.put("head_seq", Math.max(head.seq(), session.path("recorded_through_seq").asLong()));
        session.put("archived_through_seq", log.archivedThrough(key));
        return HttpApiResponse.json(200, SessionFitting.session(session, ResponseSize.MAX_ESCAPED_BODY_BYTES));
    }

    private HttpApiResponse loop(HttpApiEvent event, StreamKey key, String loopId) {
        existing(key);
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
        existing(key);
        boolean known = log.eventSeq(key, eventId).isPresent();
        ChildPage page = log.children(key, eventId, limit, cursor == null || cursor.isEmpty() ? null : cursor,
                ResponseSize.MAX_PAGE_READ_BYTES);
        // Ids are looked up in the items, which TTL deletes (hot window + grace): a parent past that
        // is known by its children's links; one with neither is not known.
        if (!known && page.children().isEmpty() && (cursor == null || cursor.isEmpty())) {
            throw new ApiException(404, "event_not_found", "no event \"" + eventId + "\" in session \"" + key.sessionId() + "\"");
        }
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
