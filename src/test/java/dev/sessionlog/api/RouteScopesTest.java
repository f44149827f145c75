package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.event.Json;
import dev.sessionlog.function.Components;
import dev.sessionlog.local.ApiGatewayEvents;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.AwsTestResource;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Finding 9: with scopes named, a token does only what its scopes allow; without, any token does all. */
class RouteScopesTest {

    private final String tenant = RecorderTestSupport.newTenant();

    @Test
    void eachKindOfRouteNeedsItsScope() {
        Components c = new RecorderTestSupport(Clock.systemUTC(), AwsTestResource.settings()
                .withScopes(new RouteScopes("sessionlog/read", "sessionlog/append", "sessionlog/erase"))).components;
        String body = "{\"events\":[{\"event\":{\"type\":\"Note\"}}]}";

        HttpApiResponse readerAppends = c.appendHandler().handle(event("POST", "/v1/sessions/s1/events", body, "sessionlog/read"));
        assertEquals(403, readerAppends.statusCode, readerAppends.body);
        assertTrue(readerAppends.body.contains("\"code\":\"forbidden\"") && readerAppends.body.contains("sessionlog/append"), readerAppends.body);
        assertEquals(404, c.queryHandler().handle(event("GET", "/v1/sessions/s1/events", null, "sessionlog/read")).statusCode,
                "the refused append wrote nothing");

        assertEquals(201, c.appendHandler().handle(event("POST", "/v1/sessions/s1/events", body, "sessionlog/append")).statusCode);
        assertEquals(403, c.queryHandler().handle(event("GET", "/v1/sessions/s1/events", null, "sessionlog/append")).statusCode);
        assertEquals(200, c.queryHandler().handle(event("GET", "/v1/sessions/s1/events", null, "openid sessionlog/read")).statusCode);
        assertEquals(403, c.appendHandler().handle(event("POST", "/v1/sessions/s1/fork", "{\"new_session_id\":\"f1\"}",
                "sessionlog/read")).statusCode, "a fork writes: it needs the append scope");
        assertEquals(403, c.appendHandler().handle(event("DELETE", "/v1/sessions/s1", null, "sessionlog/append sessionlog/read"))
                .statusCode);
        assertEquals(200, c.queryHandler().handle(event("GET", "/v1/sessions/s1/head", null, "[sessionlog/erase sessionlog/read]"))
                .statusCode, "scp as a list, flattened by API Gateway");
        // following is a read: its ticket needs the read scope
        assertEquals(403, c.queryHandler().handle(event("POST", "/v1/sessions/s1/follow", null, "sessionlog/append")).statusCode);
        assertEquals(201, c.queryHandler().handle(event("POST", "/v1/sessions/s1/follow", null, "sessionlog/read")).statusCode);
        HttpApiResponse erased = c.appendHandler().handle(event("DELETE", "/v1/sessions/s1", null, "sessionlog/erase"));
        assertTrue(erased.statusCode / 100 == 2, erased.body);
    }

    @Test
    void withoutScopesAnyTokenDoesEverything() {
        Components c = new RecorderTestSupport(Clock.systemUTC(), AwsTestResource.settings()).components;
        assertEquals(201, c.appendHandler().handle(event("POST", "/v1/sessions/s2/events",
                "{\"events\":[{\"event\":{\"type\":\"Note\"}}]}", null)).statusCode);
        assertEquals(200, c.queryHandler().handle(event("GET", "/v1/sessions/s2/events", null, null)).statusCode);
    }

    @Test
    void scopesAreReadFromScopeOrScp() {
        assertEquals(Set.of("a", "b"), RouteScopes.granted(Map.of("scope", "a b")));
        assertEquals(Set.of("a", "b"), RouteScopes.granted(Map.of("scp", "[a b]")));
        assertEquals(Set.of("a", "b"), RouteScopes.granted(Map.of("scp", java.util.List.of("a", "b"))));
        assertEquals(Set.of(), RouteScopes.granted(Map.of("sub", "x")));
    }

    private HttpApiEvent event(String method, String path, String body, String scope) {
        Map<String, String> claims = new LinkedHashMap<>(Map.of("tenant_id", tenant, "sub", "user-1"));
        if (scope != null) {
            claims.put(scope.startsWith("[") ? "scp" : "scope", scope);
        }
        try {
            var e = ApiGatewayEvents.httpApiEvent(method, path, "", Map.of("content-type", "application/json"), body, claims);
            return Json.MAPPER.treeToValue(e, HttpApiEvent.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
