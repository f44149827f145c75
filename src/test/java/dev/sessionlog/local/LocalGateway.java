package dev.sessionlog.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.HttpApiEvent;
import dev.sessionlog.api.HttpApiResponse;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.event.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * API Gateway on localhost: each HTTP request becomes the payload 2.0 event that AWS would send,
 * goes through JSON to the same handler the Lambda runs (POST to append, GET to query), and the
 * Lambda's response becomes the HTTP response. The tenant comes from X-Tenant-Id (default local),
 * handed over as the JWT claim an authorizer would have verified.
 */
final class LocalGateway implements AutoCloseable {

    private final HttpServer server;

    LocalGateway(int port, AppendHandler append, QueryHandler query, String tenantClaim) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", exchange -> handle(exchange, append, query, tenantClaim));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, AppendHandler append, QueryHandler query, String tenantClaim)
            throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
            String tenant = headers.getOrDefault("x-tenant-id", "local");
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod().toUpperCase();
            JsonNode event = ApiGatewayEvents.httpApiEvent(method, exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers,
                    bytes.length == 0 ? null : new String(bytes, StandardCharsets.UTF_8), Map.of(tenantClaim, tenant));
            HttpApiEvent lambdaEvent = Json.MAPPER.treeToValue(event, HttpApiEvent.class);
            HttpApiResponse response = "POST".equals(method) ? append.handle(lambdaEvent) : query.handle(lambdaEvent);
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
