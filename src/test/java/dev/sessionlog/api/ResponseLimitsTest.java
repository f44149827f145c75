package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.Limits;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Events;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * Every answer fits what Lambda may return (6 MB, measured on the body escaped inside API Gateway's
 * envelope): pages stop early and their cursors go on; a session whose loops would not fit is served
 * with them truncated, and the loop endpoint pages what was left out.
 */
class ResponseLimitsTest {

    private final RecorderTestSupport t = new RecorderTestSupport();

    /** An event of about {@code bytes} of JSON, almost all quotes: escaping doubles it on the wire. */
    private static ObjectNode quoted(String type, String loopId, int n, int bytes) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", type).put("n", n);
        if (loopId != null) {
            e.put("loop_id", loopId);
        }
        e.put("text", "\"".repeat(bytes / 2));
        return e;
    }

    private void append(String tenant, String session, List<ObjectNode> envelopes) {
        for (int from = 0; from < envelopes.size(); from += 4) { // 4 x ~1 MB per request, under 5 MiB
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode events = body.putArray("events");
            envelopes.subList(from, Math.min(envelopes.size(), from + 4)).forEach(events::add);
            Response r = t.api.post(tenant, "/v1/sessions/" + session + "/events", body);
            assertEquals(201, r.status(), r.body()::toString);
        }
    }

    @Test
    void aPageOfLargeEventsStopsBeforeLambdasLimitAndItsCursorGoesOn() {
        String tenant = RecorderTestSupport.newTenant();
        List<ObjectNode> envelopes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            envelopes.add(Json.MAPPER.createObjectNode().put("event_id", "big-" + i).set("event", quoted("Note", null, i, 900_000)));
        }
        append(tenant, "s-big", envelopes);
        Set<Long> seen = new HashSet<>();
        long after = 0;
        int pages = 0;
        while (true) {
            Response page = t.api.get(tenant, "/v1/sessions/s-big/events?after_seq=" + after + "&limit=1000");
            assertEquals(200, page.status());
            assertTrue(page.wireBytes() <= ApiClient.LAMBDA_RESPONSE_LIMIT, "answer of " + page.wireBytes() + " bytes");
            page.body().get("events").forEach(e -> assertTrue(seen.add(e.get("seq").asLong()), "each seq once"));
            pages++;
            if (page.body().get("next_after_seq").isNull()) {
                break;
            }
            after = page.body().get("next_after_seq").asLong();
        }
        assertEquals(12, seen.size());
        assertTrue(pages >= 3, "12 events of ~1.8 MB on the wire take several pages, took " + pages);
    }

    @Test
    void childrenPagesStopBeforeTheLimitAndALimitOver100IsServed() {
        String tenant = RecorderTestSupport.newTenant();
        List<ObjectNode> envelopes = new ArrayList<>();
        envelopes.add(Json.MAPPER.createObjectNode().put("event_id", "root").set("event", Json.MAPPER.createObjectNode().put("type", "Root")));
        for (int i = 0; i < 8; i++) {
            envelopes.add(Json.MAPPER.createObjectNode().put("event_id", "kid-" + i).put("parent_event_id", "root")
                    .set("event", quoted("Note", null, i, 900_000)));
        }
        append(tenant, "s-kids", envelopes);
        Set<String> found = new HashSet<>();
        String cursor = null;
        do {
            Response page = t.api.get(tenant, "/v1/sessions/s-kids/events/root/children?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, page.status(), page.body()::toString);
            assertTrue(page.wireBytes() <= ApiClient.LAMBDA_RESPONSE_LIMIT, "answer of " + page.wireBytes() + " bytes");
            page.body().get("children").forEach(c -> assertTrue(found.add(c.get("event_id").asText())));
            cursor = page.body().get("next_cursor").isNull() ? null : page.body().get("next_cursor").asText();
        } while (cursor != null);
        assertEquals(8, found.size());

        // 150 small children, one page of up to 1,000 (BatchGetItem takes 100 keys at a time).
        String many = "s-many";
        List<ObjectNode> small = new ArrayList<>();
        small.add(Json.MAPPER.createObjectNode().put("event_id", "root").set("event", Json.MAPPER.createObjectNode().put("type", "Root")));
        for (int i = 0; i < 150; i++) {
            small.add(Json.MAPPER.createObjectNode().put("event_id", "c-" + i).put("parent_event_id", "root")
                    .set("event", Json.MAPPER.createObjectNode().put("type", "Note").put("n", i)));
        }
        for (int from = 0; from < small.size(); from += 100) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            small.subList(from, Math.min(small.size(), from + 100)).forEach(body.putArray("events")::add);
            assertEquals(201, t.api.post(tenant, "/v1/sessions/" + many + "/events", body).status());
        }
        Response all = t.api.get(tenant, "/v1/sessions/" + many + "/events/root/children?limit=1000");
        assertEquals(200, all.status(), all.body()::toString);
        assertEquals(150, all.body().get("children").size());
        assertTrue(all.body().get("next_cursor").isNull());
    }

    @Test
    void aSessionTooLargeForOneAnswerIsServedTruncatedAndItsLoopPaged() {
        String tenant = RecorderTestSupport.newTenant();
        String s = "s-huge";
        String loop = s + ".m.0";
        List<ObjectNode> envelopes = new ArrayList<>();
        envelopes.add(Json.MAPPER.createObjectNode().set("event", Json.MAPPER.createObjectNode().put("type", "AgentStart")
                .put("agent_id", "a").put("session_id", s).put("loop_id", loop).put("timestamp", "2026-11-21T10:00:00Z")));
        envelopes.add(Json.MAPPER.createObjectNode().set("event", Json.MAPPER.createObjectNode().put("type", "TurnStart")
                .put("loop_id", loop).put("turn_index", 0).put("timestamp", "2026-11-21T10:00:01Z").put("triggered_by", "User")));
        for (int i = 0; i < 8; i++) {
            ObjectNode e = Json.MAPPER.createObjectNode().put("type", "MessageEnd").put("loop_id", loop);
            ObjectNode message = e.putObject("message").put("role", "user").put("timestamp", 1795255200000L + i);
            message.putArray("content").addObject().put("type", "text").put("text", "\"".repeat(450_000));
            envelopes.add(Json.MAPPER.createObjectNode().set("event", e));
        }
        // The turn gathers the eight messages (about 14 MB on the wire); AgentEnd's messages are the loop's.
        ObjectNode turnEnd = Json.MAPPER.createObjectNode().put("type", "TurnEnd").put("loop_id", loop)
                .put("timestamp", "2026-11-21T10:00:59Z");
        turnEnd.putObject("message").put("role", "assistant").putArray("content");
        turnEnd.putArray("tool_results");
        envelopes.add(Json.MAPPER.createObjectNode().set("event", turnEnd));
        ObjectNode end = Json.MAPPER.createObjectNode().put("type", "AgentEnd").put("loop_id", loop).put("timestamp", "2026-11-21T10:01:00Z");
        ArrayNode messages = end.putArray("messages");
        for (int i = 0; i < 2; i++) {
            messages.addObject().put("role", "user").putArray("content").addObject().put("type", "text").put("text", "\"".repeat(200_000));
        }
        envelopes.add(Json.MAPPER.createObjectNode().set("event", end));
        append(tenant, s, envelopes);
        t.record(tenant, s);

        Response session = t.api.get(tenant, "/v1/sessions/" + s);
        assertEquals(200, session.status());
        assertTrue(session.wireBytes() <= ApiClient.LAMBDA_RESPONSE_LIMIT, "answer of " + session.wireBytes() + " bytes");
        JsonNode served = session.body().get("loops").get(0);
        assertTrue(served.path("truncated").asBoolean(), "the loop is served without its messages and turns");
        assertEquals(0, served.get("messages").size());
        assertFalse(served.get("event_seqs").isEmpty(), "what identifies the loop's events stays");

        Response loopAnswer = t.api.get(tenant, "/v1/sessions/" + s + "/loops/" + loop);
        assertTrue(loopAnswer.wireBytes() <= ApiClient.LAMBDA_RESPONSE_LIMIT);
        List<JsonNode> pagedMessages = parts(tenant, s, loop, "messages");
        assertEquals(2, pagedMessages.size());
        List<JsonNode> pagedTurns = parts(tenant, s, loop, "turns");
        assertEquals(1, pagedTurns.size());
        assertTrue(pagedTurns.get(0).path("truncated").asBoolean(), "one turn larger than any answer: its events stay readable");
        assertEquals(400, t.api.get(tenant, "/v1/sessions/" + s + "/loops/" + loop + "?part=everything").status());
    }

    private List<JsonNode> parts(String tenant, String session, String loop, String part) {
        List<JsonNode> all = new ArrayList<>();
        int after = 0;
        while (true) {
            Response page = t.api.get(tenant, "/v1/sessions/" + session + "/loops/" + loop + "?part=" + part + "&after=" + after + "&limit=50");
            assertEquals(200, page.status(), page.body()::toString);
            assertTrue(page.wireBytes() <= ApiClient.LAMBDA_RESPONSE_LIMIT);
            page.body().get(part).forEach(all::add);
            if (page.body().get("next_after").isNull()) {
                return all;
            }
            after = page.body().get("next_after").asInt();
        }
    }

    @Test
    void aRequestOverFiveMebibytesIs413NamingTheLimit() {
        String tenant = RecorderTestSupport.newTenant();
        String body = "{\"events\":[{\"event\":{\"type\":\"Note\",\"text\":\"" + "x".repeat(Limits.MAX_REQUEST_BYTES) + "\"}}]}";
        Response r = t.api.post(tenant, "/v1/sessions/s-over/events", body);
        assertEquals(413, r.status());
        assertTrue(r.error().get("message").asText().contains(Integer.toString(Limits.MAX_REQUEST_BYTES)), r.body()::toString);
        assertEquals(404, t.api.get(tenant, "/v1/sessions/s-over/events").status(), "nothing was written");
    }

    /** The large bodies of one page (kept in S3) are fetched concurrently, not one after another. */
    @Test
    void theLargeBodiesOfOnePageAreFetchedConcurrently() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicInteger bodyGets = new AtomicInteger();
        ExecutionInterceptor overlap = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (context.request() instanceof GetObjectRequest) {
                    bodyGets.incrementAndGet();
                    mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(50); // long enough for the page's other fetches to start, if they run at once
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
                if (context.request() instanceof GetObjectRequest) {
                    inFlight.decrementAndGet();
                }
            }
        };
        var aws = AwsTestResource.aws();
        Components components = new Components(AwsTestResource.settings(),
                aws.embedded().dynamo(), aws.embedded().s3(overlap), aws.embedded().checkpointS3(), Clock.systemUTC(),
                dev.sessionlog.observe.Metrics.NONE);
        ApiClient api = new ApiClient(components.appendHandler(), components.queryHandler());
        String tenant = RecorderTestSupport.newTenant();
        List<ObjectNode> envelopes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // random letters: over 64 KiB after gzip, so the body goes to S3
            ObjectNode envelope = Json.MAPPER.createObjectNode();
            envelope.putObject("event").put("type", "Note").put("n", i).put("text", Events.randomText(7 + i, 120_000));
            envelopes.add(envelope);
        }
        for (int from = 0; from < envelopes.size(); from += 4) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            envelopes.subList(from, from + 4).forEach(body.putArray("events")::add);
            assertEquals(201, api.post(tenant, "/v1/sessions/big-bodies/events", body).status());
        }
        bodyGets.set(0);
        mostAtOnce.set(0);
        Response page = api.get(tenant, "/v1/sessions/big-bodies/events?limit=8");
        assertEquals(200, page.status());
        assertEquals(8, page.body().get("events").size());
        for (int i = 0; i < 8; i++) {
            assertEquals(i, page.body().get("events").get(i).get("event").get("n").asInt());
        }
        assertEquals(8, bodyGets.get(), "each body is one GET");
        assertTrue(mostAtOnce.get() > 1, "at most " + mostAtOnce.get() + " body fetch at once");
    }
}
