package dev.sessionlog.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.local.LocalConfig;
import dev.sessionlog.local.LocalRunner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Following over WebSocket, end to end on the local runner: the follow route's tickets, the local
 * WebSocket API calling the follow function's handler, the fan-out fed by the stream poller, and
 * followers that catch up over HTTP and take pushes, as openapi.yaml tells clients to.
 */
class FollowLiveTest {

    static LocalRunner runner;
    static String base;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        runner = LocalRunner.start(LocalConfig.from(Map.of("SESSIONLOG_API_PORT", "0", "SESSIONLOG_DYNAMODB_PORT", "0",
                "SESSIONLOG_S3_PORT", "0", "SESSIONLOG_IN_MEMORY", "true", "SESSIONLOG_STREAM_POLL_MILLIS", "200",
                "SESSIONLOG_SCHEDULE_SECONDS", "3600", "SESSIONLOG_ERASE_SECONDS", "1")));
        base = "http://127.0.0.1:" + runner.apiPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
    }

    static HttpResponse<String> send(String method, String tenant, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("X-Tenant-Id", tenant)
                .header("content-type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String events(String prefix, int n) {
        StringBuilder body = new StringBuilder("{\"events\":[");
        for (int i = 0; i < n; i++) {
            body.append(i > 0 ? "," : "").append("{\"event_id\":\"").append(prefix).append('-').append(i)
                    .append("\",\"event\":{\"type\":\"Note\",\"text\":\"").append(prefix).append("\"}}");
        }
        return body.append("]}").toString();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void eightWritersAndThreeFollowersOneReconnectingTwiceEverySeqOnceInOrder() throws Exception {
        String tenant = "follow-order";
        String session = "busy";
        assertEquals(201, send("POST", tenant, "/v1/sessions/" + session + "/events", events("first", 3)).statusCode());
        List<PushFollower> followers = List.of(new PushFollower(base, tenant, session, 0),
                new PushFollower(base, tenant, session, 0), new PushFollower(base, tenant, session, 2));
        PushFollower reconnecting = followers.get(2);
        await("three connections", Duration.ofSeconds(20), () -> followers.stream().allMatch(f -> f.connections() == 1 && f.last() >= 3));
        ExecutorService writers = Executors.newFixedThreadPool(8);
        List<Future<Integer>> written = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int writer = w;
            written.add(writers.submit(() -> {
                int count = 0;
                for (int r = 0; r < 12; r++) {
                    int n = 1 + (writer + r) % 3;
                    HttpResponse<String> answer = send("POST", tenant, "/v1/sessions/" + session + "/events",
                            events("w" + writer + "r" + r, n));
                    assertEquals(201, answer.statusCode(), answer.body());
                    count += n;
                    if (writer == 0 && (r == 4 || r == 8)) {
                        reconnecting.reconnect();
                    }
                    Thread.sleep(15);
                }
                return count;
            }));
        }
        int total = 3;
        for (Future<Integer> f : written) {
            total += f.get(2, TimeUnit.MINUTES);
        }
        writers.shutdown();
        long n = total;
        await("every follower at seq " + n, Duration.ofSeconds(60), () -> followers.stream().allMatch(f -> f.last() == n));
        for (PushFollower f : followers) {
            assertNull(f.failure(), () -> String.valueOf(f.failure()));
            long from = f == reconnecting ? 3 : 1;
            assertEquals(LongStream.rangeClosed(from, n).boxed().toList(), f.taken());
            f.close();
        }
        assertEquals(3, reconnecting.connections(), "connected, then twice again");
        // the events came pushed, not read: each follower read at most what was there when it connected or saw a gap
        for (PushFollower f : followers) {
            assertTrue(f.pushed() > n / 2, "pushed " + f.pushed() + " of " + n + ", read " + f.readOverHttp());
        }
    }

    @Test
    void anAppendedEventReachesAFollowerWithinMomentsOfItsAppend() throws Exception {
        String tenant = "follow-latency";
        try (PushFollower follower = new PushFollower(base, tenant, "s", 0)) {
            await("connected and caught up", Duration.ofSeconds(20), follower::ready);
            List<Long> millis = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                long started = System.nanoTime();
                assertEquals(201, send("POST", tenant, "/v1/sessions/s/events", events("e" + i, 1)).statusCode());
                long seq = i;
                await("seq " + seq, Duration.ofSeconds(10), () -> follower.last() >= seq);
                millis.add((System.nanoTime() - started) / 1_000_000);
                Thread.sleep(300);
            }
            assertEquals(5, follower.pushed(), "every event pushed, none read: " + follower.readOverHttp());
            System.out.println("follow latency, append to follower (ms, local runner): " + millis);
        }
    }

    @Test
    void aTicketOpensOneConnectionAndOnlyToItsOwnTenantsSession() throws Exception {
        HttpResponse<String> issued = send("POST", "tenant-a", "/v1/sessions/shared-name/follow", null);
        assertEquals(201, issued.statusCode(), issued.body());
        JsonNode ticket = Json.parse(issued.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("shared-name", ticket.get("session_id").asText());
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket a = open(ticket.get("url").asText(), received);
        // the same ticket again, a forged one, and none: refused at the handshake
        for (String url : List.of(ticket.get("url").asText(), ticket.get("url").asText().replaceAll("ticket=.*", "ticket=forged"),
                ticket.get("url").asText().replaceAll("\\?ticket=.*", ""))) {
            ExecutionException refused = assertThrows(ExecutionException.class, () -> open(url, new LinkedBlockingQueue<>()));
            assertTrue(refused.getCause() instanceof java.net.http.WebSocketHandshakeException, refused::toString);
        }
        // tenant b follows a session of the same name: its own, empty; tenant a's events never reach it
        LinkedBlockingQueue<String> other = new LinkedBlockingQueue<>();
        WebSocket b = open(Json.parse(send("POST", "tenant-b", "/v1/sessions/shared-name/follow", null).body()
                .getBytes(StandardCharsets.UTF_8)).get("url").asText(), other);
        assertEquals(201, send("POST", "tenant-a", "/v1/sessions/shared-name/events", events("secret", 2)).statusCode());
        String pushed = received.poll(10, TimeUnit.SECONDS);
        assertTrue(pushed != null && pushed.contains("secret-1"), String.valueOf(pushed));
        assertEquals("events", Json.parse(pushed).get("type").asText());
        assertEquals(2, Json.parse(pushed).get("events").size(), "both events of the request in one message");
        assertNull(other.poll(1, TimeUnit.SECONDS), "tenant b received tenant a's events");
        a.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        b.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }

    @Test
    void aTenantsListIsFollowedToo() throws Exception {
        String tenant = "follow-list";
        HttpResponse<String> issued = send("POST", tenant, "/v1/follow", null);
        assertEquals(201, issued.statusCode(), issued.body());
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket list = open(Json.parse(issued.body().getBytes(StandardCharsets.UTF_8)).get("url").asText(), received);
        LinkedBlockingQueue<String> otherTenant = new LinkedBlockingQueue<>();
        WebSocket other = open(Json.parse(send("POST", "follow-list-other", "/v1/follow", null).body()
                .getBytes(StandardCharsets.UTF_8)).get("url").asText(), otherTenant);
        assertEquals(201, send("POST", tenant, "/v1/sessions/first/events", events("f", 2)).statusCode());
        assertEquals(201, send("POST", tenant, "/v1/sessions/second/events", events("s", 1)).statusCode());
        java.util.Map<String, Long> heads = new java.util.HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (heads.size() < 2 && System.nanoTime() < deadline) {
            String message = received.poll(1, TimeUnit.SECONDS);
            if (message != null) {
                JsonNode m = Json.parse(message.getBytes(StandardCharsets.UTF_8));
                assertEquals("sessions", m.get("type").asText(), message);
                m.get("sessions").forEach(e -> heads.put(e.get("session_id").asText(), e.get("head_seq").asLong()));
            }
        }
        assertEquals(java.util.Map.of("first", 2L, "second", 1L), heads);
        assertNull(otherTenant.poll(500, TimeUnit.MILLISECONDS), "another tenant's list learned of them");
        list.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        other.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }

    @Test
    void anErasedSessionsFollowersAreToldAndClosedAndItCannotBeFollowedAgain() throws Exception {
        String tenant = "follow-erase";
        assertEquals(201, send("POST", tenant, "/v1/sessions/doomed/events", events("x", 2)).statusCode());
        try (PushFollower follower = new PushFollower(base, tenant, "doomed", 0)) {
            await("caught up", Duration.ofSeconds(20), () -> follower.last() == 2);
            assertEquals(202, send("DELETE", tenant, "/v1/sessions/doomed", null).statusCode());
            await("told of the erasure", Duration.ofSeconds(20), follower::erased);
            await("closed by the server", Duration.ofSeconds(20), follower::closedByServer);
        }
        HttpResponse<String> again = send("POST", tenant, "/v1/sessions/doomed/follow", null);
        assertEquals(404, again.statusCode(), again.body());
        assertEquals("session_not_found", Json.parse(again.body().getBytes(StandardCharsets.UTF_8)).path("error").path("code").asText());
    }

    @Test
    void aPageOfAnotherSiteCannotOpenAFollowConnection() throws Exception {
        String url = Json.parse(send("POST", "follow-site", "/v1/sessions/s/follow", null).body().getBytes(StandardCharsets.UTF_8))
                .get("url").asText();
        ExecutionException refused = assertThrows(ExecutionException.class, () -> HTTP.newWebSocketBuilder()
                .header("Origin", "https://evil.example").buildAsync(URI.create(url), new WebSocket.Listener() { })
                .get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof java.net.http.WebSocketHandshakeException, refused::toString);
    }

    static WebSocket open(String url, LinkedBlockingQueue<String> received) throws Exception {
        return HTTP.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                received.add(data.toString());
                webSocket.request(1);
                return CompletableFuture.completedFuture(null);
            }
        }).get(10, TimeUnit.SECONDS);
    }
}
