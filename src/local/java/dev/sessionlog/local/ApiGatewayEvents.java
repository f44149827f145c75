package dev.sessionlog.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * An HTTP request as the API Gateway HTTP API event (payload format 2.0) that AWS would deliver
 * to the Lambda. The local runner and the tests both make their events here.
 */
public final class ApiGatewayEvents {

    private ApiGatewayEvents() {
    }

    /** A query string part as API Gateway hands it on: decoded, or as sent when it is not valid percent-encoding. */
    private static String decode(String part) {
        try {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEncoded) {
            return part;
        }
    }

    /**
     * @param claims the JWT authorizer's claims, or null for a request no authorizer saw
     */
    public static ObjectNode httpApiEvent(String method, String rawPath, String rawQuery, Map<String, String> headers,
                                          String body, Map<String, String> claims) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("version", "2.0");
        e.put("routeKey", "$default");
        e.put("rawPath", rawPath);
        e.put("rawQueryString", rawQuery == null ? "" : rawQuery);
        ObjectNode h = e.putObject("headers");
        headers.forEach((name, value) -> h.put(name.toLowerCase(), value));
        if (rawQuery != null && !rawQuery.isEmpty()) {
            ObjectNode params = e.putObject("queryStringParameters");
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = decode(eq < 0 ? "" : pair.substring(eq + 1));
                // API Gateway joins repeated parameters with commas.
                params.put(name, params.has(name) ? params.get(name).asText() + "," + value : value);
            }
        }
        ObjectNode context = e.putObject("requestContext");
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        context.put("timeEpoch", Instant.now().toEpochMilli());
        ObjectNode http = context.putObject("http");
        http.put("method", method);
        http.put("path", rawPath);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "127.0.0.1");
        if (claims != null) {
            ObjectNode c = context.putObject("authorizer").putObject("jwt").putObject("claims");
            claims.forEach(c::put);
        }
        if (body != null) {
            e.put("body", body);
        }
        e.put("isBase64Encoded", false);
        return e;
    }
}
