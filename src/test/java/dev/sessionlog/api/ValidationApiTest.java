package dev.sessionlog.api;

import static dev.sessionlog.testing.Events.agentStart;
import static dev.sessionlog.testing.Events.batch;
import static dev.sessionlog.testing.Events.envelope;
import static dev.sessionlog.testing.Events.userMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.testing.AwsTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of bad input: a 400 whose message names the field, and nothing written. */
@QuarkusTest
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class ValidationApiTest extends ApiTestBase {

    static final String T = "tenant-v";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed JSON          | {\"events\": [                                   | not valid JSON",
        "not an object           | [1,2]                                             | JSON object",
        "no events               | {\"expected_seq\": 0}                             | events is required",
        "events not an array     | {\"events\": {}}                                  | events must be an array",
        "empty events            | {\"events\": []}                                  | events must hold 1 to 100 events",
        "event without type      | {\"events\": [{\"event\": {\"loop_id\": \"x\"}}]} | events[0].event.type",
        "type not a string       | {\"events\": [{\"event\": {\"type\": 7}}]}        | events[0].event.type",
        "event not an object     | {\"events\": [{\"event\": \"AgentStart\"}]}      | events[0].event must be a JSON object",
        "envelope not an object  | {\"events\": [42]}                                | events[0] must be an object",
        "no event in envelope    | {\"events\": [{\"event_id\": \"a\"}]}             | events[0].event is required",
        "bad event_id            | {\"events\": [{\"event_id\": \"a b\", \"event\": {\"type\": \"X\"}}]} | events[0].event_id",
        "bad parent_event_id     | {\"events\": [{\"parent_event_id\": \"\", \"event\": {\"type\": \"X\"}}]} | events[0].parent_event_id",
        "repeated event_id       | {\"events\": [{\"event_id\": \"a\", \"event\": {\"type\": \"X\"}}, {\"event_id\": \"a\", \"event\": {\"type\": \"X\"}}]} | events[1].event_id",
        "negative expected_seq   | {\"expected_seq\": -1, \"events\": [{\"event\": {\"type\": \"X\"}}]} | expected_seq",
        "text expected_seq       | {\"expected_seq\": \"3\", \"events\": [{\"event\": {\"type\": \"X\"}}]} | expected_seq",
        "number session_id       | {\"events\": [{\"event\": {\"type\": \"AgentStart\", \"session_id\": 7}}]} | events[0].event.session_id must be a string",
        "parent session alone    | {\"events\": [{\"parent_session_id\": \"s1\", \"event\": {\"type\": \"X\"}}]} | events[0].parent_session_id is only meaningful",
        "bad parent session      | {\"events\": [{\"parent_event_id\": \"p\", \"parent_session_id\": \"a b\", \"event\": {\"type\": \"X\"}}]} | events[0].parent_session_id",
        "type twice              | {\"events\": [{\"event\": {\"type\": \"a\", \"type\": \"b\"}}]} | the key \"type\" twice in one object (at /events/0/event/type)",
        "deep key twice          | {\"events\": [{\"event\": {\"type\": \"X\", \"m\": [{\"k\": 1, \"k\": 1}]}}]} | the key \"k\" twice in one object (at /events/0/event/m/0/k)",
        "envelope key twice      | {\"events\": [{\"event_id\": \"a\", \"event_id\": \"b\", \"event\": {\"type\": \"X\"}}]} | the key \"event_id\" twice",
        "top-level key twice     | {\"expected_seq\": 0, \"expected_seq\": 5, \"events\": [{\"event\": {\"type\": \"X\"}}]} | the key \"expected_seq\" twice",
    })
    void badBodyIs400NamingTheFieldAndWritesNothing(String name, String body, String expectedInMessage) {
        String s = newSession();
        Response r = api.post(T, events(s), body);
        assertEquals(400, r.status(), () -> name + ": " + r.body());
        assertEquals("invalid_request", r.error().get("code").asText());
        assertTrue(r.error().get("message").asText().contains(expectedInMessage),
                () -> name + ": message was " + r.error().get("message"));
        assertEquals(List.of(), storedSeqs(T, s));
    }

    @Test
    void emptyBodyIs400() {
        Response r = api.post(T, events(newSession()), "");
        assertEquals(400, r.status());
        assertTrue(r.error().get("message").asText().contains("request body is required"));
    }

    @ParameterizedTest(name = "session id {0}")
    @CsvSource(delimiter = '|', value = {
        "../x         | may contain only",
        "with space   | may contain only",
        "a/b          | may contain only",
        "ümlaut       | may contain only",
    })
    void badSessionIdIs400NamingSessionId(String sessionId, String expected) {
        String path = "/v1/sessions/" + java.net.URLEncoder.encode(sessionId, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20") + "/events";
        Response r = api.post(T, path, batch(envelope(null, null, userMessage("x.m.0", "hi"))));
        assertEquals(400, r.status(), () -> r.body().toString());
        assertTrue(r.error().get("message").asText().startsWith("session_id"), () -> r.error().toString());
        assertTrue(r.error().get("message").asText().contains(expected));
        assertEquals(400, api.get(T, path).status());
    }

    @Test
    void sessionIdOf129CharactersIs400AndOf128Is201() {
        String longest = "s".repeat(128);
        assertEquals(201, api.post(T, events(longest), batch(envelope(null, null, userMessage("x.m.0", "hi")))).status());
        Response r = api.post(T, events("s".repeat(129)), batch(envelope(null, null, userMessage("x.m.0", "hi"))));
        assertEquals(400, r.status());
        assertTrue(r.error().get("message").asText().contains("session_id must be 1 to 128 characters, was 129"));
    }

    @Test
    void emptySessionIdIs400() {
        {
            // An empty path parameter as API Gateway would pass it for //events
            com.fasterxml.jackson.databind.node.ObjectNode event = dev.sessionlog.testing.ApiClient.event("POST", T,
                    "/v1/sessions//events", dev.sessionlog.event.Json.write(batch(envelope(null, null, userMessage("x.m.0", "hi")))));
            event.putObject("pathParameters").put("session_id", "");
            HttpApiEvent parsed = dev.sessionlog.event.Json.MAPPER.convertValue(event, HttpApiEvent.class);
            HttpApiResponse response = appendHandler.handle(parsed);
            assertEquals(400, response.statusCode);
            assertTrue(response.body.contains("session_id must be 1 to 128 characters, was empty"), response.body);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "limit=0         | limit must be an integer from 1 to 1000",
        "limit=5000      | limit must be an integer from 1 to 1000",
        "limit=abc       | limit must be an integer from 1 to 1000",
        "after_seq=-1    | after_seq must be an integer >= 0",
        "after_seq=x     | after_seq must be an integer >= 0",
    })
    void badQueryParameterIs400NamingIt(String query, String expected) {
        String s = newSession();
        assertEquals(201, api.post(T, events(s), batch(envelope(null, null, userMessage("x.m.0", "hi")))).status());
        Response r = api.get(T, events(s) + "?" + query);
        assertEquals(400, r.status());
        assertEquals(expected + ", was \"" + query.substring(query.indexOf('=') + 1) + "\"", r.error().get("message").asText());
    }

    @Test
    void agentStartNamingAnotherSessionIs400AndWritesNothing() {
        String s = newSession();
        Response r = api.post(T, events(s), batch(envelope(null, null, userMessage(s + ".m.0", "ok")),
                envelope(null, null, agentStart("someone-else", "someone-else.m.0"))));
        assertEquals(400, r.status());
        assertTrue(r.error().get("message").asText().contains("events[1].event.session_id \"someone-else\" does not match"));
        assertEquals(List.of(), storedSeqs(T, s));
    }

    @Test
    void unknownSessionIs404AndUnknownRouteIs404() {
        Response missing = api.get(T, events(newSession()));
        assertEquals(404, missing.status());
        assertEquals("session_not_found", missing.error().get("code").asText());
        assertEquals(404, api.get(T, "/v1/sessions/" + newSession() + "/head").status());
        assertEquals("route_not_found", api.get(T, "/v2/whatever").error().get("code").asText());
    }

    /** Inputs that answered 500 before: each is a 400 naming what is wrong, with nothing written. */
    @Test
    void aTypeOf500KilobytesIs400NamingTheLimit() {
        String s = newSession();
        Response r = api.post(T, events(s), "{\"events\":[{\"event\":{\"type\":\"" + "T".repeat(500_000) + "\"}}]}");
        assertEquals(400, r.status());
        assertTrue(r.error().get("message").asText().contains("events[0].event.type must be at most 256 characters"), r.body()::toString);
        assertEquals(List.of(), storedSeqs(T, s));
    }

    @Test
    void aPathWithABadPercentEscapeIs400() {
        Response r = api.get(T, "/v1/sessions/%zz/events");
        assertEquals(400, r.status(), r.body()::toString);
        assertTrue(r.error().get("message").asText().contains("percent-encoding"));
    }

    @ParameterizedTest(name = "active_since={0}")
    @CsvSource({"-1000000000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "yesterday"})
    void anActiveSinceOutsideYears0To9999Is400(String since) {
        Response r = api.get(T, "/v1/sessions?active_since=" + since);
        assertEquals(400, r.status(), r.body()::toString);
        assertTrue(r.error().get("message").asText().startsWith("active_since"));
    }

    @Test
    void aCursorWithTheRightPartitionButBadKeysOrAnotherListingsFiltersIs400() {
        String s = newSession();
        for (int i = 0; i < 3; i++) {
            api.post(T, events(s), batch(envelope("c-" + i, null, userMessage("x.m.0", "child " + i))));
        }
        api.post(T, events(s), batch(envelope(null, "c-0", userMessage("x.m.0", "a")), envelope(null, "c-0", userMessage("x.m.0", "b"))));
        String children = events(s) + "/c-0/children?limit=1";
        String good = api.get(T, children).body().get("next_cursor").asText();
        com.fasterxml.jackson.databind.node.ObjectNode decoded = (com.fasterxml.jackson.databind.node.ObjectNode)
                dev.sessionlog.event.Json.parse(java.util.Base64.getUrlDecoder().decode(good));
        com.fasterxml.jackson.databind.node.ObjectNode missing = decoded.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) missing.get("k")).remove("seq");
        com.fasterxml.jackson.databind.node.ObjectNode notNumeric = decoded.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) notNumeric.get("k")).put("seq", "N:one");
        com.fasterxml.jackson.databind.node.ObjectNode huge = decoded.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) huge.get("k")).put("seq", "N:1e999");
        for (com.fasterxml.jackson.databind.node.ObjectNode forged : List.of(missing, notNumeric, huge)) {
            String cursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(dev.sessionlog.event.Json.bytes(forged));
            Response r = api.get(T, children + "&cursor=" + cursor);
            assertEquals(400, r.status(), () -> forged + ": " + r.body());
            assertTrue(r.error().get("message").asText().startsWith("cursor is not valid"));
        }
        // A list cursor used with another active_since
        String listCursor = api.get(T, "/v1/sessions?limit=1&active_since=2000-01-01T00:00:00Z").body().get("next_cursor").asText("");
        if (!listCursor.isEmpty()) {
            Response other = api.get(T, "/v1/sessions?limit=1&active_since=2001-01-01T00:00:00Z&cursor=" + listCursor);
            assertEquals(400, other.status(), other.body()::toString);
        }
    }

    @Test
    void aTenantClaimThatIsNotUnicodeTextIs401() {
        String loneSurrogate = "tenant-\uD800";
        Response r = api.post(loneSurrogate, events(newSession()), batch(envelope(null, null, userMessage("x.m.0", "hi"))));
        assertEquals(401, r.status(), r.body()::toString);
        assertTrue(r.error().get("message").asText().contains("not valid Unicode"));
    }

    @Test
    void requestWithoutTenantClaimIs401() {
        Response r = api.post(null, events(newSession()), batch(envelope(null, null, userMessage("x.m.0", "hi"))));
        assertEquals(401, r.status());
        assertTrue(r.error().get("message").asText().contains("tenant_id"));
    }
}
