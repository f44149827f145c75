package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.erase.Eraser;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import dev.sessionlog.testing.OpenApiSpec;
import dev.sessionlog.testing.OpenApiSpec.Operation;
import dev.sessionlog.testing.TestAws;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What the real handlers answer (on moto and S3Proxy, as the other API tests drive them) is what
 * openapi.yaml says: each answer's status is documented for its operation, its body is an instance of
 * that response's schema (strict: no undocumented field), its error code is one the response names, and
 * its documented headers are there and well-formed.
 */
class OpenApiResponsesTest {

    static final OpenApiSpec SPEC = OpenApiSpec.load();
    static final String EVENTS = "/v1/sessions/{session_id}/events";
    static final String FORK = "/v1/sessions/{session_id}/fork";
    static final String SESSION = "/v1/sessions/{session_id}";
    static final String HEAD = "/v1/sessions/{session_id}/head";
    static final String CHILDREN = "/v1/sessions/{session_id}/events/{event_id}/children";
    static final String LOOP = "/v1/sessions/{session_id}/loops/{loop_id}";
    static final String VERIFY = "/v1/sessions/{session_id}/verify";
    static final String SESSIONS = "/v1/sessions";
    static final String FOLLOW = "/v1/sessions/{session_id}/follow";
    static final String FOLLOW_SESSIONS = "/v1/follow";

    /**
     * An old clock of the test's own: the erasure run below takes only marks made before it (this
     * test's), never another test's sessions in the shared tables.
     */
    final MutableClock clock = new MutableClock(Instant.parse("2021-03-01T10:00:00Z"));
    final RecorderTestSupport t = new RecorderTestSupport(clock);
    final String tenant = RecorderTestSupport.newTenant();
    /** "METHOD path status" of every answer checked. */
    final Set<String> seen = new TreeSet<>();

    /** Checks an answer of an operation against the document, and returns it. */
    Response check(String method, String path, Response r) {
        Operation op = SPEC.operation(method, path);
        String response = SPEC.response(op, r.status());
        assertNotNull(response, op + " does not document " + r.status() + ": " + r.body());
        conforms(op + " " + r.status(), response, r);
        seen.add(op + " " + r.status());
        return r;
    }

    static void conforms(String what, String responsePointer, Response r) {
        dev.sessionlog.testing.SpecConformance.conforms(what, responsePointer, r);
    }

    private static ObjectNode batch(Long expectedSeq, String session, List<JsonNode> events, String idPrefix) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (expectedSeq != null) {
            body.put("expected_seq", expectedSeq);
        }
        ArrayNode batch = body.putArray("events");
        for (int i = 0; i < events.size(); i++) {
            batch.addObject().put("event_id", idPrefix + (i + 1)).set("event", events.get(i));
        }
        return body;
    }

    private Response post(String path, String concrete, JsonNode body) {
        return check("POST", path, t.api.post(tenant, concrete, body));
    }

    private Response post(String path, String concrete, String body) {
        return check("POST", path, t.api.post(tenant, concrete, body));
    }

    private Response get(String path, String concrete) {
        return check("GET", path, t.api.get(tenant, concrete));
    }

    private Response delete(String concrete) {
        return check("DELETE", SESSION, t.api.delete(tenant, concrete));
    }

    @Test
    void everyRouteAnswersWhatTheSpecSays() {
        // Append: 201, a retry's 200, conflicts, a bad request, too many events.
        List<JsonNode> parent = RecorderTestSupport.fixture("subagent_parent.json");
        ObjectNode first = batch(0L, "s-parent", parent, "e-");
        Response appended = post(EVENTS, "/v1/sessions/s-parent/events", first);
        assertEquals(201, appended.status());
        assertEquals(200, post(EVENTS, "/v1/sessions/s-parent/events", first).status());
        assertEquals("seq_conflict", post(EVENTS, "/v1/sessions/s-parent/events",
                batch(0L, "s-parent", List.of(note("late")), "x-")).error().path("code").asText());
        ObjectNode mixed = batch(null, "s-parent", List.of(parent.get(0), note("new")), "e-");
        ((ObjectNode) mixed.withArray("events").get(1)).put("event_id", "brand-new");
        assertEquals("partial_duplicate", post(EVENTS, "/v1/sessions/s-parent/events", mixed).error().path("code").asText());
        assertEquals(400, post(EVENTS, "/v1/sessions/s-parent/events", "{\"events\":[{\"event\":{\"no_type\":1}}]}").status());
        assertEquals(400, post(EVENTS, "/v1/sessions/s-parent/events", "{not json").status());
        assertEquals(400, post(EVENTS, "/v1/sessions/bad%20id/events", batch(null, "x", List.of(note("n")), "n-")).status());
        List<JsonNode> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add(note("n" + i));
        }
        assertEquals(413, post(EVENTS, "/v1/sessions/s-many/events", batch(null, "s-many", tooMany, "n-")).status());

        // A sub-agent's session, its first event a child of the parent's tool call; sessions with
        // parallel branches, fold errors, and only events of another vocabulary.
        ObjectNode child = batch(null, "s-child", RecorderTestSupport.fixture("subagent_child.json"), "c-");
        ((ObjectNode) child.withArray("events").get(0)).put("parent_event_id", "e-5").put("parent_session_id", "s-parent");
        assertEquals(201, post(EVENTS, "/v1/sessions/s-child/events", child).status());
        assertEquals(201, post(EVENTS, "/v1/sessions/s-par/events",
                batch(null, "s-par", RecorderTestSupport.fixture("parallel_group.json"), "p-")).status());
        assertEquals(201, post(EVENTS, "/v1/sessions/s-bad/events",
                batch(null, "s-bad", RecorderTestSupport.fixture("malformed.json"), "b-")).status());
        assertEquals(201, post(EVENTS, "/v1/sessions/s-notes/events", batch(null, "s-notes", List.of(note("a"), note("b")), "n-")).status());

        // Read: ascending, newest first, by type, at the end, a live tail, none such.
        assertEquals(5, get(EVENTS, "/v1/sessions/s-parent/events?after_seq=0&limit=5").body().path("events").size());
        assertEquals(3, get(EVENTS, "/v1/sessions/s-parent/events?order=desc&limit=3").body().path("events").size());
        get(EVENTS, "/v1/sessions/s-parent/events?order=desc&before_seq=2");
        get(EVENTS, "/v1/sessions/s-parent/events?types=TurnStart,AgentEnd&limit=4");
        assertTrue(get(EVENTS, "/v1/sessions/s-parent/events?after_seq=13").body().path("next_after_seq").isNull());
        get(EVENTS, "/v1/sessions/s-parent/events?after_seq=10&wait=1");
        assertEquals(0, get(EVENTS, "/v1/sessions/s-not-yet/events?wait=1").body().path("head_seq").asLong());
        assertEquals(400, get(EVENTS, "/v1/sessions/s-parent/events?order=desc&wait=3").status());
        assertEquals(400, get(EVENTS, "/v1/sessions/s-parent/events?limit=0").status());
        assertEquals(404, get(EVENTS, "/v1/sessions/s-none/events").status());
        assertEquals("e-13", get(HEAD, "/v1/sessions/s-parent/head").body().path("event").path("event_id").asText());
        assertEquals(404, get(HEAD, "/v1/sessions/s-none/head").status());

        // Children, across sessions.
        JsonNode children = get(CHILDREN, "/v1/sessions/s-parent/events/e-5/children").body();
        assertEquals("s-child", children.path("children").get(0).path("session_id").asText(), children::toString);
        get(CHILDREN, "/v1/sessions/s-parent/events/e-1/children?limit=1");
        assertEquals("event_not_found", get(CHILDREN, "/v1/sessions/s-parent/events/e-99/children").error().path("code").asText());
        assertEquals(400, get(CHILDREN, "/v1/sessions/s-parent/events/e-5/children?limit=1001").status());

        // Materialized sessions and loops: one before the recorder folded it (from the log), the rest recorded.
        JsonNode notes = get(SESSION, "/v1/sessions/s-notes").body();
        assertTrue(notes.path("agent_id").isNull() && notes.path("formation").isNull(), notes::toString);
        for (String s : List.of("s-parent", "s-child", "s-par", "s-bad")) {
            t.record(tenant, s);
        }
        assertTrue(get(SESSION, "/v1/sessions/s-child").body().path("parent_spawn_ref").isObject());
        assertTrue(get(SESSION, "/v1/sessions/s-bad").body().path("fold_error_count").asInt() > 0);
        JsonNode par = get(SESSION, "/v1/sessions/s-par").body();
        String loopId = par.path("loops").get(0).path("loop_id").asText();
        assertTrue(get(LOOP, "/v1/sessions/s-par/loops/" + loopId).body().path("parallel_group").isObject());
        get(LOOP, "/v1/sessions/s-par/loops/" + loopId + "?part=turns&limit=1");
        get(LOOP, "/v1/sessions/s-par/loops/" + loopId + "?part=messages&after=0&limit=1");
        assertEquals("loop_not_found", get(LOOP, "/v1/sessions/s-par/loops/nope").error().path("code").asText());
        assertEquals(400, get(LOOP, "/v1/sessions/s-par/loops/" + loopId + "?part=everything").status());
        assertEquals(404, get(SESSION, "/v1/sessions/s-none").status());

        // The list, filtered, paged.
        assertTrue(get(SESSIONS, "/v1/sessions").body().path("sessions").size() >= 4);
        get(SESSIONS, "/v1/sessions?agent_id=orchestrator&limit=1");
        get(SESSIONS, "/v1/sessions?active_since=2021-01-01T00:00:00Z&limit=2");
        assertEquals(400, get(SESSIONS, "/v1/sessions?active_since=yesterday").status());

        // Fork: made, again, another at the same id, no source, a bad at_seq; the forks listed.
        String fork = "{\"new_session_id\":\"s-parent-retry\",\"at_seq\":9}";
        assertEquals(201, post(FORK, "/v1/sessions/s-parent/fork", fork).status());
        assertEquals(200, post(FORK, "/v1/sessions/s-parent/fork", fork).status());
        assertEquals(201, post(FORK, "/v1/sessions/s-parent/fork", "{\"new_session_id\":\"s-parent-head\"}").status());
        assertEquals("session_exists", post(FORK, "/v1/sessions/s-parent/fork",
                "{\"new_session_id\":\"s-parent-retry\",\"at_seq\":8}").error().path("code").asText());
        assertEquals(404, post(FORK, "/v1/sessions/s-none/fork", "{\"new_session_id\":\"s-none-fork\"}").status());
        assertEquals(400, post(FORK, "/v1/sessions/s-parent/fork", "{\"new_session_id\":\"s-x\",\"at_seq\":99}").status());
        assertEquals(400, post(FORK, "/v1/sessions/s-parent/fork", "{\"at_seq\":1}").status());
        t.record(tenant, "s-parent-retry");
        assertEquals("s-parent", get(SESSION, "/v1/sessions/s-parent-retry").body().path("forked_from").path("session_id").asText());
        get(SESSIONS, "/v1/sessions?forked_from=s-parent");

        // Verify: ok, with the append's receipt, against a wrong receipt, a bad request.
        assertTrue(get(VERIFY, "/v1/sessions/s-parent/verify").body().path("ok").asBoolean());
        JsonNode receipt = get(VERIFY, "/v1/sessions/s-parent/verify?receipt_seq=13&receipt_chain=" + appended.body().path("chain").asText()).body();
        assertTrue(receipt.path("ok").asBoolean() && receipt.path("receipt_ok").asBoolean(), receipt::toString);
        JsonNode wrong = get(VERIFY, "/v1/sessions/s-parent/verify?receipt_seq=3&receipt_chain=" + "0".repeat(64)).body();
        assertTrue(!wrong.path("ok").asBoolean() && wrong.path("first_bad_seq").asLong() == 3, wrong::toString);
        get(VERIFY, "/v1/sessions/s-parent/verify?from_seq=2&through_seq=4");
        assertEquals(400, get(VERIFY, "/v1/sessions/s-parent/verify?receipt_seq=3").status());
        assertEquals(404, get(VERIFY, "/v1/sessions/s-none/verify").status());

        // Follow: a ticket for a session, also one not appended to yet.
        JsonNode ticket = post(FOLLOW, "/v1/sessions/s-parent/follow", "").body();
        assertTrue(ticket.path("url").asText().contains("?ticket="), ticket::toString);
        assertEquals(201, post(FOLLOW, "/v1/sessions/s-later/follow", "").status());
        JsonNode listTicket = post(FOLLOW_SESSIONS, "/v1/follow", "").body();
        assertTrue(listTicket.path("url").asText().contains("?ticket=") && !listTicket.has("session_id"), listTicket::toString);

        // Erase: 202, again 202, gone from the reads, appends refused; 404 for no such session; 410 once done.
        assertEquals(202, delete("/v1/sessions/s-notes").status());
        assertEquals(202, delete("/v1/sessions/s-notes").status());
        assertEquals(404, get(SESSION, "/v1/sessions/s-notes").status());
        assertEquals("session_not_found", post(FOLLOW, "/v1/sessions/s-notes/follow", "").error().path("code").asText());
        assertEquals("session_erasing", post(EVENTS, "/v1/sessions/s-notes/events",
                batch(null, "s-notes", List.of(note("c")), "m-")).error().path("code").asText());
        assertEquals(404, delete("/v1/sessions/s-never").status());
        clock.advance(Eraser.GRACE.plusSeconds(1));
        assertEquals(1, t.components.eraser(Eraser.CrashPoints.NONE).run().erased());
        assertEquals(410, delete("/v1/sessions/s-notes").status());
        assertEquals(410, post(EVENTS, "/v1/sessions/s-notes/events", batch(null, "s-notes", List.of(note("d")), "m-")).status());
        assertEquals(410, post(FORK, "/v1/sessions/s-parent/fork", "{\"new_session_id\":\"s-notes\"}").status());

        // Every success the document promises was seen.
        for (Operation op : SPEC.operations()) {
            if (op.localOnly() || !op.path().startsWith("/v1/")) {
                continue;
            }
            op.node().path("responses").fieldNames().forEachRemaining(status -> {
                if (status.startsWith("2")) {
                    assertTrue(seen.contains(op + " " + status), op + " " + status + " was not seen; seen: " + seen);
                }
            });
        }
    }

    private static JsonNode note(String text) {
        return Json.MAPPER.createObjectNode().put("type", "Note").put("text", text);
    }

    /** Requests no operation takes: unknown paths (any method) are route_not_found, known paths' other methods 405. */
    @Test
    void requestsOutsideTheSpecAnswerRouteNotFoundOrMethodNotAllowed() {
        for (String path : List.of("/v1/nope", "/nope", "/v1/sessions/s1/nope", "/v1", "/v1/sessions/s1/events/e-1")) {
            for (String method : List.of("GET", "POST")) {
                Response r = t.api.send(method, tenant, path, null);
                assertEquals(404, r.status(), method + " " + path);
                conforms(method + " " + path, "/components/responses/RouteNotFound", r);
            }
        }
        for (String[] request : List.of(new String[] {"PUT", "/v1/sessions/s1"}, new String[] {"POST", "/v1/sessions"},
                new String[] {"DELETE", "/v1/sessions/s1/events"}, new String[] {"PATCH", "/v1/sessions/s1/head"},
                new String[] {"POST", "/ui/index.html"}, new String[] {"DELETE", "/ui"})) {
            Response r = t.api.send(request[0], tenant, request[1], null);
            assertEquals(405, r.status(), String.join(" ", request));
            conforms(String.join(" ", request), "/components/responses/MethodNotAllowed", r);
        }
    }

    /** The timeline page's files, served without a tenant, in the content types the document names. */
    @Test
    void theTimelinePageIsServedAsDocumented() {
        QueryHandler query = t.components.queryHandler();
        for (String path : List.of("/ui", "/ui/", "/ui/index.html", "/ui/app.js", "/ui/app.css", "/ui/favicon.ico")) {
            Response r = raw(query, "GET", path);
            String template = path.equals("/ui") || path.equals("/ui/") ? "/ui" : "/ui/{file}";
            check("GET", template, r);
            assertEquals(path.endsWith("favicon.ico") ? 404 : 200, r.status(), path);
        }
        assertEquals(raw(query, "GET", "/ui/index.html").body(), raw(query, "GET", "/ui/").body(), "/ui/ is the page");
        assertEquals(raw(query, "GET", "/ui/index.html").body(), raw(query, "GET", "/ui").body(), "/ui is the page");
    }

    /** A response read back as API Gateway would pass it on: JSON bodies parsed, others as text. */
    private static Response raw(QueryHandler handler, String method, String path) {
        try {
            HttpApiEvent event = Json.MAPPER.treeToValue(ApiClient.event(method, null, path, null), HttpApiEvent.class);
            HttpApiResponse r = handler.handle(event);
            String type = r.headers.getOrDefault("content-type", "");
            JsonNode body = type.startsWith("application/json") ? Json.parse(r.body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    : TextNode.valueOf(r.body);
            return new Response(r.statusCode, r.headers, body, 0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** On AWS: no tenant in the token is 401; past the tenant's waits a wait is 429 with Retry-After. */
    @Test
    void withoutATenant401AndPastTheWaits429() {
        TestAws aws = AwsTestResource.aws();
        Settings local = AwsTestResource.settings();
        Settings onAws = new Settings(local.eventsTable(), local.sessionsTable(), local.bucket(), "", "tenant_id",
                Duration.ofHours(1), false, ArchiveSettings.defaults(), Duration.ofSeconds(25), local.checkpointBucket(), local.checkpointKey(), local.failureBucket(), null, RouteScopes.ANY_TOKEN, new TenantLimits(0, 2, 100), dev.sessionlog.function.StorageLayout.CURRENT, local.follow());
        Components components = new Components(onAws, aws.embedded().dynamo(), aws.embedded().s3(), aws.embedded().checkpointS3(),
                Clock.systemUTC(), dev.sessionlog.observe.Metrics.NONE);
        ApiClient api = new ApiClient(components.appendHandler(), components.queryHandler());
        assertEquals("unauthorized", check("GET", EVENTS, api.get(null, "/v1/sessions/s1/events")).error().path("code").asText());
        assertEquals(401, check("POST", EVENTS, api.post(null, "/v1/sessions/s1/events", "{\"events\":[{\"event\":{\"type\":\"Note\"}}]}")).status());
        assertEquals(401, check("GET", SESSIONS, api.get(null, "/v1/sessions")).status());
        assertEquals(401, check("DELETE", SESSION, api.delete(null, "/v1/sessions/s1")).status());
        assertEquals(401, check("GET", VERIFY, api.get("ü".repeat(100), "/v1/sessions/s1/verify")).status());
        assertEquals(401, check("POST", FOLLOW, api.post(null, "/v1/sessions/s1/follow", "")).status());
        assertEquals(401, check("POST", FOLLOW_SESSIONS, api.post(null, "/v1/follow", "")).status());
        // a deployment without the follow API
        Components noFollow = new Components(onAws.withFollow(dev.sessionlog.follow.FollowSettings.OFF), aws.embedded().dynamo(),
                aws.embedded().s3(), aws.embedded().checkpointS3(), Clock.systemUTC(), dev.sessionlog.observe.Metrics.NONE);
        assertEquals("follow_unavailable", check("POST", FOLLOW, new ApiClient(noFollow.appendHandler(), noFollow.queryHandler())
                .post(tenant, "/v1/sessions/s1/follow", "")).error().path("code").asText());
        assertEquals("follow_unavailable", check("POST", FOLLOW_SESSIONS, new ApiClient(noFollow.appendHandler(), noFollow.queryHandler())
                .post(tenant, "/v1/follow", "")).error().path("code").asText());
        Response throttled = check("GET", EVENTS, api.get(tenant, "/v1/sessions/s-idle/events?wait=5"));
        assertEquals(429, throttled.status(), throttled.body()::toString);
    }
}
