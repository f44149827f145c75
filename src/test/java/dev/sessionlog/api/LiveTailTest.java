package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Settings;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/** wait=N on moto: a reader is answered as soon as an event is appended, or after N seconds with none. */
class LiveTailTest {

    final RecorderTestSupport t = new RecorderTestSupport(Clock.systemUTC(), AwsTestResource.settings().withMaxWaitsPerTenant(2));
    final String tenant = RecorderTestSupport.newTenant();

    ApiClient.Response append(String session, String id) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().put("event_id", id).putObject("event").put("type", "Note");
        return t.api.post(tenant, "/v1/sessions/" + session + "/events", body);
    }

    @Test
    void aWaitingReaderIsWokenByAnEventAppendedTwoSecondsLater() throws Exception {
        assertEquals(201, append("tailed", "e-1").status());
        CompletableFuture<ApiClient.Response> reader = CompletableFuture.supplyAsync(() ->
                t.api.get(tenant, "/v1/sessions/tailed/events?after_seq=1&wait=20"));
        Thread.sleep(2_000);
        assertTrue(!reader.isDone(), "the reader is held while nothing follows seq 1");
        assertEquals(201, append("tailed", "e-2").status());
        long appended = System.nanoTime();
        ApiClient.Response answer = reader.get();
        long delayMillis = (System.nanoTime() - appended) / 1_000_000;
        assertEquals(200, answer.status());
        assertEquals("e-2", answer.body().get("events").get(0).get("event_id").asText());
        assertEquals(2, answer.body().get("next_after_seq").asLong());
        // woken by the event, not by the end of its wait (18 s later): how soon is a figure, printed, not a test
        assertTrue(delayMillis < 10_000, "answered " + delayMillis + " ms after the append");
        System.out.printf("tail: answered %d ms after the append%n", delayMillis);
    }

    @Test
    void withNothingAppendedItReturnsAfterAboutTwentySecondsWithNoEvents() {
        assertEquals(201, append("quiet", "e-1").status());
        AwsCalls.reset();
        long started = System.nanoTime();
        ApiClient.Response answer = t.api.get(tenant, "/v1/sessions/quiet/events?after_seq=1&wait=20");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertEquals(200, answer.status());
        assertEquals(0, answer.body().get("events").size());
        assertEquals(1, answer.body().get("next_after_seq").asLong(), "never null with wait: where it looked");
        assertTrue(seconds >= 19 && seconds <= 23, "held " + seconds + " s");
        Map<String, Long> calls = AwsCalls.countByOperation("DynamoDb");
        System.out.printf("tail: an empty 20 s wait made these DynamoDB calls: %s (S3: %s)%n", calls, AwsCalls.countByOperation("S3"));
        // a wait slot taken (the tenant's first wait also makes its map) and given back
        assertTrue(calls.get("UpdateItem") >= 2 && calls.get("UpdateItem") <= 3, calls::toString);
        assertTrue(calls.get("Query") >= 30 && calls.get("Query") <= 45, "about one look per 500 ms: " + calls);
        // Each look asks whether an item follows the head, eventually consistent: none is read while
        // none is there (the head's own item, a whole turn, is not read again at every look).
        List<QueryRequest> queries = AwsCalls.calls("DynamoDb").stream().map(AwsCalls.Call::request)
                .filter(QueryRequest.class::isInstance).map(QueryRequest.class::cast).toList();
        long looks = queries.stream().filter(q -> q.keyConditionExpression().contains("seq > :head")
                && !Boolean.TRUE.equals(q.consistentRead())).count();
        assertTrue(looks >= 30, "looks: " + looks);
        assertTrue(queries.size() - looks <= 6, "the head and the page read once each, not at every look: " + queries.size());
    }

    @Test
    void catchingUpIsNotHeldAndTheFirstEventOfANewSessionIsWaitedFor() throws Exception {
        assertEquals(201, append("behind", "e-1").status());
        assertEquals(201, append("behind", "e-2").status());
        long started = System.nanoTime();
        ApiClient.Response behind = t.api.get(tenant, "/v1/sessions/behind/events?after_seq=0&wait=20");
        assertTrue((System.nanoTime() - started) / 1_000_000 < 10_000, "events after after_seq: answered, not held for the wait");
        assertEquals(2, behind.body().get("events").size());
        assertEquals(2, behind.body().get("next_after_seq").asLong());

        CompletableFuture<ApiClient.Response> first = CompletableFuture.supplyAsync(() ->
                t.api.get(tenant, "/v1/sessions/not-yet/events?wait=20"));
        Thread.sleep(1_000);
        assertEquals(201, append("not-yet", "first").status());
        ApiClient.Response answer = first.get();
        assertEquals(200, answer.status());
        assertEquals("first", answer.body().get("events").get(0).get("event_id").asText());
    }

    @Test
    void aSessionErasedMeanwhileAnswers404() throws Exception {
        assertEquals(201, append("doomed", "e-1").status());
        CompletableFuture<ApiClient.Response> reader = CompletableFuture.supplyAsync(() ->
                t.api.get(tenant, "/v1/sessions/doomed/events?after_seq=1&wait=20"));
        Thread.sleep(1_000);
        assertEquals(202, t.api.send("DELETE", tenant, "/v1/sessions/doomed", null).status());
        ApiClient.Response answer = reader.get();
        assertEquals(404, answer.status());
        assertEquals("session_not_found", answer.error().get("code").asText());
    }

    @Test
    void pastTheTenantsMaximumOfWaitsAWaitAnswers429() throws Exception {
        List<CompletableFuture<ApiClient.Response>> waiting = List.of(
                CompletableFuture.supplyAsync(() -> t.api.get(tenant, "/v1/sessions/w-1/events?wait=5")),
                CompletableFuture.supplyAsync(() -> t.api.get(tenant, "/v1/sessions/w-2/events?wait=5")));
        Thread.sleep(1_500);
        ApiClient.Response third = t.api.get(tenant, "/v1/sessions/w-3/events?wait=5");
        assertEquals(429, third.status(), third.body()::toString);
        assertEquals("throttled", third.error().get("code").asText());
        assertEquals("1", third.headers().get("retry-after"));
        for (CompletableFuture<ApiClient.Response> w : waiting) {
            assertEquals(200, w.get().status());
        }
        // their slots are given back: another tenant was never limited, and this one may wait again
        assertEquals(200, t.api.get(tenant, "/v1/sessions/w-3/events?wait=1").status());
    }

    @Test
    void badWaitsAreNamed() {
        for (String query : List.of("wait=0", "wait=21", "wait=x", "wait=5&order=desc")) {
            ApiClient.Response r = t.api.get(tenant, "/v1/sessions/any/events?" + query);
            assertEquals(400, r.status(), query);
            assertTrue(r.error().get("message").asText().contains("wait"), query);
        }
        // a parameter wrong for the direction is refused before the wait holds the request
        long started = System.nanoTime();
        ApiClient.Response wrongDirection = t.api.get(tenant, "/v1/sessions/any/events?wait=5&before_seq=3");
        assertEquals(400, wrongDirection.status());
        assertTrue(wrongDirection.error().get("message").asText().contains("before_seq"), wrongDirection.body()::toString);
        assertTrue((System.nanoTime() - started) / 1_000_000 < 4_000, "answered without waiting its 5 s");
        // an empty wait is no wait: a session that does not exist is not waited for
        assertEquals(404, t.api.get(tenant, "/v1/sessions/never-made/events?wait=").status());
    }
}
