package dev.sessionlog.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.HttpApiEvent;
import dev.sessionlog.api.HttpApiResponse;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.api.Route;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.DynamoStreamEvent;
import dev.sessionlog.function.StreamEventHandler;
import java.util.Optional;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * API Gateway on localhost: each HTTP request becomes the payload 2.0 event that AWS would send,
 * goes through JSON to the same handler the Lambda runs (writes to append, the rest to query), and the
 * Lambda's response becomes the HTTP response. The tenant comes from X-Tenant-Id (default local),
 * handed over as the JWT claim an authorizer would have verified.
 */
final class LocalGateway implements AutoCloseable {

    private final HttpServer server;

    LocalGateway(int port, AppendHandler append, QueryHandler query, StreamEventHandler recorder, String tenantClaim)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", exchange -> {
            if (fromThisMachine(exchange)) {
                handle(exchange, append, query, tenantClaim);
            }
        });
        server.createContext("/_local/rebuild/", exchange -> {
            if (fromThisMachine(exchange)) {
                rebuild(exchange, recorder);
            }
        });
        server.start();
    }

    /** Answers 403 to a request from another site or under another host name ({@link LoopbackGuard}). */
    private static boolean fromThisMachine(HttpExchange exchange) throws IOException {
        String refusal = LoopbackGuard.refusal(exchange.getRequestHeaders().getFirst("Host"),
                exchange.getRequestHeaders().getFirst("Origin"));
        if (refusal == null) {
            return true;
        }
        try (exchange) {
            byte[] body = Json.write(Map.of("error", Map.of("code", "forbidden", "message", refusal))).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(403, body.length);
            exchange.getResponseBody().write(body);
        }
        return false;
    }

    /**
     * POST /_local/rebuild/{session_id} (tenant: X-Tenant-Id): what `aws lambda invoke` of the
     * recorder with {"rebuild":{...}} does on AWS, through the same handler.
     */
    private static void rebuild(HttpExchange exchange, StreamEventHandler recorder) throws IOException {
        try (exchange) {
            String session = exchange.getRequestURI().getPath().substring("/_local/rebuild/".length());
            String tenant = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Tenant-Id"))
                    .map(v -> new String(v.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)).orElse("local");
            DynamoStreamEvent event = new DynamoStreamEvent();
            event.rebuild = new DynamoStreamEvent.Rebuild();
            event.rebuild.tenant = tenant;
            event.rebuild.sessionId = session;
            byte[] body = Json.write(recorder.handle(event)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (RuntimeException e) {
            byte[] body = ("{\"error\":{\"code\":\"internal\",\"message\":\"" + e.getClass().getSimpleName() + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, AppendHandler append, QueryHandler query, String tenantClaim)
            throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            // The JDK's server reads header bytes as Latin-1; clients send UTF-8 (a tenant "ü").
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(),
                    new String(String.join(",", values).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)));
            String tenant = headers.getOrDefault("x-tenant-id", "local");
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod().toUpperCase();
            JsonNode event = ApiGatewayEvents.httpApiEvent(method, exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers,
                    bytes.length == 0 ? null : new String(bytes, StandardCharsets.UTF_8), Map.of(tenantClaim, tenant));
            HttpApiEvent lambdaEvent = Json.MAPPER.treeToValue(event, HttpApiEvent.class);
            HttpApiResponse response = Route.goesToAppend(method, exchange.getRequestURI().getRawPath())
                    ? append.handle(lambdaEvent) : query.handle(lambdaEvent);
            byte[] body = response.body == null ? new byte[0] : response.body.getBytes(StandardCharsets.UTF_8);
            response.headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(response.statusCode, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (RuntimeException e) {
            byte[] body = "{\"error\":{\"code\":\"internal\",\"message\":\"local gateway failed\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
            e.printStackTrace();
        }
    }

    @Override
    public void close() {
        server.stop(1);
    }
}
