package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.Limits;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.AgentRunGenerator;
import dev.sessionlog.recorder.RecorderOptions;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forks through the HTTP API on moto: a fork at seq 5,000 of a 10,000-event session whose first half
 * is archived reads exactly as its source up to there, then grows on its own, folds into its own
 * session, forks again, archives and rebuilds; the fork call costs what it costs for a 10-event source.
 */
class ForkApiTest {

    static final Instant OLD = Instant.parse("2026-11-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final String SOURCE = "src";

    static MutableClock clock = new MutableClock(OLD);
    static RecorderTestSupport t;
    static String tenant;
    static List<JsonNode> sourceBefore;
    static JsonNode forkAnswer;
    static Map<String, Long> forkCalls;

    @AfterAll
    static void releaseTheStore() {
        AwsTestResource.resetDynamo();
    }

    @BeforeAll
    static void aForkOfALongSessionHalfArchived() {
        t = new RecorderTestSupport(clock);
        tenant = RecorderTestSupport.newTenant();
        List<EventRecord> run = AgentRunGenerator.generate(AgentRunGenerator.Config.of(SOURCE, 1200).withShape(0, 1, 2)
                .withLinks(4, 0, 3, 0)).events();
        assertTrue(run.size() >= 10_000, "generated " + run.size());
        List<JsonNode> events = run.subList(0, 10_000).stream().map(EventRecord::event).toList();
        t.append(tenant, SOURCE, events.subList(0, 5_000));
        clock.set(NOW);
        t.append(tenant, SOURCE, events.subList(5_000, 10_000), 5_000);
        t.record(tenant, SOURCE); // what puts it on the archive's due index
        t.components.archiver().archive(new StreamKey(tenant, SOURCE), NOW.minus(Duration.ofHours(24)));
        assertEquals(5_000, t.components.eventLog().archivedThrough(new StreamKey(tenant, SOURCE)));
        assertEquals(10_000, t.api.get(tenant, "/v1/sessions/" + SOURCE + "/head").body().get("head_seq").asLong());
        sourceBefore = t.readAll(tenant, SOURCE, 1000);

        AwsCalls.reset();
        ApiClient.Response fork = fork(SOURCE, "fork-a", 5_000L);
        forkCalls = AwsCalls.countByOperation("DynamoDb");
        assertEquals(201, fork.status(), fork.body()::toString);
        forkAnswer = fork.body();
    }

    static JsonNode json(String text) {
        return Json.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static ApiClient.Response fork(String source, String newId, Long atSeq) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("new_session_id", newId);
        if (atSeq != null) {
            body.put("at_seq", atSeq);
        }
        return t.api.post(tenant, "/v1/sessions/" + source + "/fork", body);
    }

    static ApiClient.Response appendOne(String session, String eventId, String parent) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode e = body.withArray("events").addObject().put("event_id", eventId);
        if (parent != null) {
            e.put("parent_event_id", parent);
        }
        e.putObject("event").put("type", "Note").put("text", eventId);
        return t.api.post(tenant, "/v1/sessions/" + session + "/events", body);
    }

    @Test
    void theAnswerNamesTheSourceAndAnIdenticalRetryGetsItAgain() {
        assertEquals(json("{\"session_id\":\"fork-a\",\"forked_from\":{\"session_id\":\"src\",\"seq\":5000},\"head_seq\":5000}"),
                forkAnswer);
        ApiClient.Response retry = fork(SOURCE, "fork-a", 5_000L);
        assertEquals(200, retry.status());
        assertEquals(forkAnswer, retry.body());
        assertEquals("session_exists", fork(SOURCE, "fork-a", 4_000L).error().get("code").asText());
        assertEquals(409, fork(SOURCE, SOURCE, 10L).status());
        assertEquals(409, fork("fork-a", SOURCE, 10L).status(), "an existing session is never overwritten by a fork");
    }

    /**
     * A page of a fork served from its source (half archived) loads each session's archive state
     * once for the page, and the fork's once more for its head: a fork whose newest item is its link
     * may have had events of its own that TTL has deleted since, which only its archive state tells.
     */
    @Test
    void aPageOfAForkReadFromItsSourceLoadsEachArchiveStateOnceAndTheForksAgainForItsHead() {
        AwsCalls.reset();
        ApiClient.Response page = t.api.get(tenant, "/v1/sessions/fork-a/events?after_seq=4000&limit=10");
        assertEquals(200, page.status(), page.body()::toString);
        assertEquals(4_001, page.body().get("events").get(0).get("seq").asLong());
        Map<String, Long> stateLoads = new java.util.TreeMap<>();
        for (AwsCalls.Call c : AwsCalls.calls("DynamoDb")) {
            if (c.request() instanceof software.amazon.awssdk.services.dynamodb.model.GetItemRequest get
                    && "0".equals(get.key().get("seq").n())) {
                stateLoads.merge(StreamKey.fromPk(get.key().get("pk").s()).sessionId(), 1L, Long::sum);
            }
        }
        assertEquals(Map.of("fork-a", 2L, SOURCE, 1L), stateLoads);
    }

    @Test
    void forksOfForksStopAtTheDepthLimitWithA400NamingIt() {
        assertEquals(201, appendOne("deep-0", "d-1", null).status());
        for (int level = 1; level <= Limits.MAX_FORK_DEPTH; level++) {
            assertEquals(201, fork("deep-" + (level - 1), "deep-" + level, null).status(), "level " + level);
        }
        ApiClient.Response tooDeep = fork("deep-" + Limits.MAX_FORK_DEPTH, "deep-too-far", null);
        assertEquals(400, tooDeep.status(), tooDeep.body()::toString);
        assertEquals("invalid_request", tooDeep.error().get("code").asText());
        assertTrue(tooDeep.error().get("message").asText().contains("at most " + Limits.MAX_FORK_DEPTH + " levels"),
                tooDeep.body()::toString);
        assertEquals(404, t.api.get(tenant, "/v1/sessions/deep-too-far/head").status(), "nothing was written");
        List<JsonNode> deepest = t.readAll(tenant, "deep-" + Limits.MAX_FORK_DEPTH, 10);
        assertEquals(1, deepest.size(), "the deepest fork reads its one inherited event");
    }

    @Test
    void theForkCallCostsTheSameForATenEventSource() {
        String small = "small-src";
        for (int i = 1; i <= 10; i++) {
            assertEquals(201, appendOne(small, "s-" + i, null).status());
        }
        AwsCalls.reset();
        assertEquals(201, fork(small, "small-fork", 5L).status());
        assertEquals(forkCalls, AwsCalls.countByOperation("DynamoDb"));
        assertEquals(Map.of(), AwsCalls.countByOperation("S3"), "a fork reads and writes no object");
    }

    @Test
    void theForkReadsAsItsSourceThenEachGrowsOnItsOwn() {
        List<JsonNode> inherited = t.readAll(tenant, "fork-a", 1000);
        assertEquals(5_000, inherited.size());
        for (int i = 0; i < 5_000; i++) {
            assertEquals(Json.write(sourceBefore.get(i)), Json.write(inherited.get(i)), "seq " + (i + 1) + " byte for byte");
        }
        JsonNode head = t.api.get(tenant, "/v1/sessions/fork-a/head").body();
        assertEquals(5_000, head.get("head_seq").asLong());
        assertEquals(sourceBefore.get(4_999), head.get("event"));
        // an inherited id is the fork's own: its retry is a duplicate
        ObjectNode retry = Json.MAPPER.createObjectNode();
        retry.withArray("events").addObject().put("event_id", "e-10").set("event", sourceBefore.get(9).get("event"));
        ApiClient.Response duplicate = t.api.post(tenant, "/v1/sessions/fork-a/events", retry);
        assertEquals(200, duplicate.status(), duplicate.body()::toString);
        assertEquals(10, duplicate.body().get("events").get(0).get("seq").asLong());

        for (int i = 1; i <= 20; i++) {
            assertEquals(201, appendOne(SOURCE, "src-extra-" + i, null).status());
            assertEquals(201, appendOne("fork-a", "fork-extra-" + i, null).status());
        }
        List<JsonNode> source = t.readAll(tenant, SOURCE, 1000);
        List<JsonNode> fork = t.readAll(tenant, "fork-a", 1000);
        assertEquals(10_020, source.size());
        assertEquals(5_020, fork.size());
        assertEquals(sourceBefore, source.subList(0, 10_000));
        for (int i = 1; i <= 20; i++) {
            assertEquals("src-extra-" + i, source.get(9_999 + i).get("event_id").asText());
            assertEquals("fork-extra-" + i, fork.get(4_999 + i).get("event_id").asText());
            assertEquals(5_000 + i, fork.get(4_999 + i).get("seq").asLong());
        }
        assertEquals(sourceBefore.subList(0, 5_000), fork.subList(0, 5_000));

        // the fork's session is the fold of its events, with forked_from: read before the recorder got
        // to it (folded from its log on the read), then as the recorder stored it
        JsonNode unrecorded = t.session(tenant, "fork-a");
        t.record(tenant, "fork-a");
        JsonNode served = t.session(tenant, "fork-a");
        assertEquals(0, unrecorded.path("fold_errors").size(), () -> unrecorded.path("fold_errors").toString());
        assertEquals(served.get("forked_from"), unrecorded.get("forked_from"));
        assertEquals(served.get("loops"), unrecorded.get("loops"), "the same loops before and after the recorder");
        SessionFold reference = SessionFold.startFork("fork-a", RecorderOptions.defaults(), SOURCE, 5_000, Instant.EPOCH,
                List.of(SOURCE));
        fork.forEach(r -> reference.apply(EventRecordJson.fromJson(r)));
        ObjectNode expected = reference.toSessionJson();
        ObjectNode actual = served.deepCopy();
        actual.remove("head_seq");
        actual.remove("archived_through_seq");
        assertEquals(Json.parse(Json.bytes(expected)), Json.parse(Json.bytes(actual)));
        assertEquals(json("{\"session_id\":\"src\",\"seq\":5000}"), served.get("forked_from"));
        assertTrue(served.get("loops").size() > 400, "the inherited loops, named by the source's AgentStart, are the fork's");
        assertEquals(0, served.path("fold_errors").size(), () -> served.path("fold_errors").toString());

        // the list finds it by its source
        JsonNode forks = t.api.get(tenant, "/v1/sessions?forked_from=" + SOURCE).body().get("sessions");
        assertEquals(1, forks.size(), forks::toString);
        assertEquals("fork-a", forks.get(0).get("session_id").asText());
        assertEquals(json("{\"session_id\":\"src\",\"seq\":5000}"), forks.get(0).get("forked_from"));

        // a rebuild gives the same session
        // (as JSON text: loops stored apart are read back as parsed numbers, which compare by node type)
        ObjectNode rebuilt = t.components.streamRecorder().rebuild(new StreamKey(tenant, "fork-a")).toSessionJson();
        assertEquals(Json.parse(Json.bytes(expected)), Json.parse(Json.bytes(rebuilt)));
    }

    @Test
    void aForkOfAForkHasChildrenArchivesAndStaysWhole() {
        assertEquals(201, fork("fork-a", "fork-b", 4_990L).status());
        assertEquals(201, appendOne("fork-b", "b-child", "e-7").status());
        List<JsonNode> b = t.readAll(tenant, "fork-b", 1000);
        assertEquals(4_991, b.size());
        assertEquals(sourceBefore.subList(0, 4_990), b.subList(0, 4_990));
        // children of an inherited event, in the fork that holds them
        JsonNode children = t.api.get(tenant, "/v1/sessions/fork-b/events/e-7/children").body().get("children");
        assertEquals(1, children.size(), children::toString);
        assertEquals("b-child", children.get(0).get("event_id").asText());
        // archival of the fork's own events: the read stays the same
        clock.set(NOW.plus(Duration.ofDays(3)));
        t.components.archiver().archive(new StreamKey(tenant, "fork-b"), clock.instant().minus(Duration.ofHours(24)));
        clock.set(NOW);
        JsonNode page = t.api.get(tenant, "/v1/sessions/fork-b/events?after_seq=4980").body();
        assertEquals(4_991, page.get("archived_through_seq").asLong(), "fork-b's own event is archived");
        assertEquals(b, t.readAll(tenant, "fork-b", 1000));
    }

    @Test
    void badForksAreNamed() {
        assertEquals("session_not_found", fork("no-such-session", "x-1", 1L).error().get("code").asText());
        for (String body : new String[] {"", "[]", "{}", "{\"new_session_id\":\"\"}", "{\"new_session_id\":\"ok\",\"at_seq\":0}",
                "{\"new_session_id\":\"ok\",\"at_seq\":\"5\"}", "{\"new_session_id\":\"ok\",\"at_seq\":20000}",
                "{\"new_session_id\":\"a/b\"}"}) {
            ApiClient.Response r = t.api.post(tenant, "/v1/sessions/" + SOURCE + "/fork", body);
            assertEquals(400, r.status(), body + " -> " + r.body());
            assertEquals("invalid_request", r.error().get("code").asText());
        }
        ApiClient.Response twice = t.api.post(tenant, "/v1/sessions/" + SOURCE + "/fork",
                "{\"new_session_id\":\"dup-a\",\"new_session_id\":\"dup-b\"}");
        assertEquals(400, twice.status(), twice.body()::toString);
        assertTrue(twice.error().get("message").asText().contains("the key \"new_session_id\" twice"), twice.body()::toString);
        assertEquals(404, t.api.get(tenant, "/v1/sessions/dup-b/head").status(), "no fork was made");
    }
}
