package dev.sessionlog.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.StreamEventHandler;
import dev.sessionlog.sessions.RecorderTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The local runner's API Gateway: real HTTP in, the same handlers as the Lambdas, real HTTP out. */
class LocalGatewayTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The gateway on a free port, before the same handlers as the Lambdas. */
    private static LocalGateway gateway() throws java.io.IOException {
        RecorderTestSupport t = new RecorderTestSupport();
        return new LocalGateway(0, t.components.appendHandler(), t.components.queryHandler(),
                t.components.streamEventHandler(), "tenant_id");
    }

    @Test
    void httpRequestsBecomeApiGatewayEventsAndTheTenantComesFromTheHeader() throws Exception {
        String tenant = RecorderTestSupport.newTenant();
        try (LocalGateway gateway = gateway()) {
            String base = "http://127.0.0.1:" + gateway.port();
            String body = "{\"events\":[{\"event_id\":\"g-1\",\"event\":{\"type\":\"AgentStart\",\"agent_id\":\"a\",\"session_id\":\"gw\",\"loop_id\":\"gw.m.0\"}}]}";
            HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/gw/events"))
                    .header("X-Tenant-Id", tenant).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertEquals(201, created.statusCode(), created.body());
            assertEquals("application/json", created.headers().firstValue("content-type").orElse(""));

            HttpResponse<String> read = send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/gw/events?after_seq=0&limit=5"))
                    .header("X-Tenant-Id", tenant));
            assertEquals(200, read.statusCode());
            assertEquals("AgentStart", Json.parse(read.body().getBytes(StandardCharsets.UTF_8)).get("events").get(0).get("event").get("type").asText());
            assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/gw/events"))).statusCode(),
                    "without the header the tenant is \"local\", which has no such session");
            HttpResponse<String> bad = send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/gw/events?limit=0")).header("X-Tenant-Id", tenant));
            assertEquals(400, bad.statusCode());

            HttpResponse<String> rebuilt = send(HttpRequest.newBuilder(URI.create(base + "/_local/rebuild/gw"))
                    .header("X-Tenant-Id", tenant).POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, rebuilt.statusCode(), rebuilt.body());
            JsonNode result = Json.parse(rebuilt.body().getBytes(StandardCharsets.UTF_8)).get("rebuilt");
            assertEquals(1, result.get("recorded_through_seq").asLong());
            HttpResponse<String> session = send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/gw")).header("X-Tenant-Id", tenant));
            assertEquals(200, session.statusCode());
            assertTrue(session.body().contains("\"loop_id\":\"gw.m.0\""));
        }
    }

    /** Finding 11: a page on another site cannot write through the runner, nor read it under a rebound name. */
    @Test
    void requestsFromOtherSitesOrUnderOtherHostNamesAre403() throws Exception {
        String tenant = RecorderTestSupport.newTenant();
        try (LocalGateway gateway = gateway()) {
            String base = "http://127.0.0.1:" + gateway.port();
            String body = "{\"events\":[{\"event\":{\"type\":\"Note\"}}]}";
            HttpResponse<String> crossSite = send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/csrf/events"))
                    .header("X-Tenant-Id", tenant).header("Origin", "https://evil.example").header("content-type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertEquals(403, crossSite.statusCode(), crossSite.body());
            assertTrue(crossSite.body().contains("\"code\":\"forbidden\""), crossSite.body());
            assertEquals(403, send(HttpRequest.newBuilder(URI.create(base + "/_local/rebuild/csrf")).header("Origin", "null")
                    .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
            assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/csrf/events")).header("X-Tenant-Id", tenant))
                    .statusCode(), "nothing was written by the refused request");

            assertEquals(201, send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/same-site/events"))
                    .header("X-Tenant-Id", tenant).header("Origin", "http://localhost:" + gateway.port())
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))).statusCode());

            String rebound = rawGet(gateway.port(), "attacker.example:" + gateway.port(), "/v1/sessions/same-site/events", tenant);
            assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
            assertTrue(rebound.contains("answers only Host localhost or 127.0.0.1"), rebound);
            assertTrue(rawGet(gateway.port(), "localhost:" + gateway.port(), "/v1/sessions/same-site/events", tenant).startsWith("HTTP/1.1 200"));
        }
    }

    /** A GET with a Host header of our choosing, which java.net.http does not let a caller set. */
    private static String rawGet(int port, String host, String path, String tenant) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-Tenant-Id: " + tenant
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theHostNameIsReadWithoutItsPort() {
        assertEquals("localhost", LoopbackGuard.hostName("LocalHost:8080"));
        assertEquals("[::1]", LoopbackGuard.hostName("[::1]:80"));
        assertEquals(null, LoopbackGuard.refusal("127.0.0.1", "http://127.0.0.1:3000"));
        assertTrue(LoopbackGuard.refusal("localhost.evil.example", null) != null);
        assertTrue(LoopbackGuard.refusal(null, null) != null);
    }
}
