package dev.sessionlog.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.HttpApiEvent;
import dev.sessionlog.api.HttpApiResponse;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.event.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Calls the API as API Gateway would: each request becomes a payload 2.0 event JSON (with the JWT
 * authorizer's claims), is read back through JSON into the handler's event type, and the handler's
 * response is read back through JSON too.
 */
public final class ApiClient {

    public record Response(int status, Map<String, String> headers, JsonNode body) {
        public JsonNode error() {
            return body.path("error");
        }
    }

    private final AppendHandler append;
    private final QueryHandler query;

    public ApiClient(AppendHandler append, QueryHandler query) {
        this.append = append;
        this.query = query;
    }

    public Response post(String tenant, String path, String body) {
        return call(append, event("POST", tenant, path, body));
    }

    public Response post(String tenant, String path, JsonNode body) {
        return post(tenant, path, Json.write(body));
    }

    public Response get(String tenant, String pathAndQuery) {
        return call(null, event("GET", tenant, pathAndQuery, null));
    }

    private Response call(AppendHandler appendHandler, ObjectNode event) {
        try {
            HttpApiEvent parsed = Json.MAPPER.treeToValue(Json.parse(Json.write(event)), HttpApiEvent.class);
            HttpApiResponse response = appendHandler != null ? appendHandler.handle(parsed) : query.handle(parsed);
            JsonNode wire = Json.parse(Json.write(response));
            Map<String, String> headers = new LinkedHashMap<>();
            wire.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
            return new Response(wire.get("statusCode").asInt(), headers, Json.parse(wire.get("body").asText()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode event(String method, String tenant, String pathAndQuery, String body) {
        String path = pathAndQuery;
        String rawQuery = "";
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            path = pathAndQuery.substring(0, q);
            rawQuery = pathAndQuery.substring(q + 1);
        }
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("version", "2.0");
        e.put("routeKey", "$default");
        e.put("rawPath", path);
        e.put("rawQueryString", rawQuery);
        ObjectNode headers = e.putObject("headers");
        headers.put("content-type", "application/json");
        if (!rawQuery.isEmpty()) {
            ObjectNode params = e.putObject("queryStringParameters");
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        ObjectNode context = e.putObject("requestContext");
        context.put("requestId", UUID.randomUUID().toString());
        ObjectNode http = context.putObject("http");
        http.put("method", method);
        http.put("path", path);
        if (tenant != null) {
            context.putObject("authorizer").putObject("jwt").putObject("claims").put("tenant_id", tenant).put("sub", "user-1");
        }
        if (body != null) {
            e.put("body", body);
        }
        e.put("isBase64Encoded", false);
        return e;
    }
}
