package dev.sessionlog.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.HttpApiEvent;
import dev.sessionlog.api.HttpApiResponse;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.api.Route;
import dev.sessionlog.event.Json;
import dev.sessionlog.local.ApiGatewayEvents;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calls the API as API Gateway would: each request becomes a payload 2.0 event JSON (with the JWT
 * authorizer's claims), is read back through JSON into the handler's event type, and the handler's
 * response is read back through JSON too, and checked against openapi.yaml ({@link SpecConformance}).
 */
public final class ApiClient {

    /** @param wireBytes the size of what the Lambda returned: the body escaped inside API Gateway's envelope */
    public record Response(int status, Map<String, String> headers, JsonNode body, long wireBytes) {
        public JsonNode error() {
            return body.path("error");
        }
    }

    /** Lambda's synchronous response limit. */
    public static final long LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

    private final AppendHandler append;
    private final QueryHandler query;

    public ApiClient(AppendHandler append, QueryHandler query) {
        this.append = append;
        this.query = query;
    }

    public Response post(String tenant, String path, String body) {
        return send("POST", tenant, path, body);
    }

    public Response post(String tenant, String path, JsonNode body) {
        return post(tenant, path, Json.write(body));
    }

    public Response get(String tenant, String pathAndQuery) {
        return call(null, event("GET", tenant, pathAndQuery, null));
    }

    /** Any request, to the function API Gateway's routes would give it: writes to append, all else to query ($default). */
    public Response send(String method, String tenant, String pathAndQuery, String body) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        return call(Route.goesToAppend(method, path) ? append : null, event(method, tenant, pathAndQuery, body));
    }

    public Response delete(String tenant, String path) {
        return send("DELETE", tenant, path, null);
    }

    private Response call(AppendHandler appendHandler, ObjectNode event) {
        try {
            HttpApiEvent parsed = Json.MAPPER.treeToValue(Json.parse(Json.write(event)), HttpApiEvent.class);
            HttpApiResponse response = appendHandler != null ? appendHandler.handle(parsed) : query.handle(parsed);
            byte[] envelope = Json.write(response).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            JsonNode wire = Json.parse(envelope);
            Map<String, String> headers = new LinkedHashMap<>();
            wire.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
            Response answer = new Response(wire.get("statusCode").asInt(), headers, Json.parse(wire.get("body").asText()), envelope.length);
            SpecConformance.check(parsed.method(), parsed.path(), answer);
            return answer;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode event(String method, String tenant, String pathAndQuery, String body) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String rawQuery = q < 0 ? "" : pathAndQuery.substring(q + 1);
        return ApiGatewayEvents.httpApiEvent(method, path, rawQuery, Map.of("content-type", "application/json"), body,
                tenant == null ? null : Map.of("tenant_id", tenant, "sub", "user-1"));
    }
}
