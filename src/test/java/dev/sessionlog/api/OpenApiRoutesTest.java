package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Ids;
import dev.sessionlog.event.Limits;
import dev.sessionlog.testing.OpenApiSpec;
import dev.sessionlog.testing.OpenApiSpec.Operation;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * openapi.yaml is the one list of the API's routes: the routes the handlers serve (Route, the timeline
 * page's files, the local runner's own routes) are its operations, no more and no fewer, with the
 * limits the code enforces and the error codes the code answers.
 */
class OpenApiRoutesTest {

    static final OpenApiSpec SPEC = OpenApiSpec.load();

    /** The routes the handlers serve: every Route, and the timeline page (UiAssets). */
    static Set<String> servedRoutes() {
        Set<String> routes = new TreeSet<>();
        for (Route r : Route.values()) {
            routes.add(r.method() + " " + r.pathTemplate());
        }
        routes.add("GET /ui");          // the page (so are /ui/ and /ui/index.html)
        routes.add("GET /ui/{file}");   // its files: UiAssets.FILES
        return routes;
    }

    @Test
    void theSpecsOperationsAreTheRoutesTheHandlersServe() {
        Set<String> documented = SPEC.operations().stream().filter(o -> !o.localOnly()).map(Operation::toString)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(servedRoutes(), documented);
        JsonNode files = SPEC.operation("GET", "/ui/{file}").node().path("parameters").get(0).path("schema").path("enum");
        Set<String> named = new TreeSet<>();
        files.forEach(f -> named.add(f.asText()));
        assertEquals(new TreeSet<>(UiAssets.FILES.keySet()), named, "/ui/{file} names exactly the files UiAssets serves");
    }

    /** The local runner's own routes (LocalGateway's contexts other than "/") are the operations marked local-only. */
    @Test
    void localOnlyRoutesAreTheLocalGatewaysOwnAndMarkedSo() throws IOException {
        String gateway = Files.readString(Path.of("src/local/java/dev/sessionlog/local/LocalGateway.java"));
        Matcher m = Pattern.compile("createContext\\(\"(/[^\"]+)\"").matcher(gateway);
        List<String> contexts = new ArrayList<>();
        while (m.find()) {
            contexts.add(m.group(1));
        }
        assertEquals(List.of("/_local/rebuild/"), contexts, "the local gateway's own routes, beside \"/\" (every API route)");
        List<Operation> local = SPEC.operations().stream().filter(Operation::localOnly).toList();
        assertEquals(List.of("POST /_local/rebuild/{session_id}"), local.stream().map(Operation::toString).toList());
        for (Operation op : local) {
            assertTrue(op.path().startsWith(contexts.get(0)), op + " is under the gateway's context");
            assertEquals("http://localhost:8080", op.node().path("servers").get(0).path("url").asText(), op + " is served locally only");
        }
    }

    /**
     * API Gateway's JWT authorizer (the form SAM writes: an oauth2 scheme with its extension) on every
     * route of the API, the local runner's and $default included; none on the page's static files. Each
     * operation says so itself: the document has no default, so no importer's reading of one matters.
     */
    @Test
    void theJwtAuthorizerIsOnEveryRouteButTheTimelinePage() {
        JsonNode scheme = SPEC.at("/components/securitySchemes/JwtAuthorizer");
        assertEquals(1, SPEC.at("/components/securitySchemes").size(), "one scheme");
        assertEquals("oauth2", scheme.path("type").asText());
        // A flow the generators accept: without one they drop the scheme, and the clients send no token.
        assertTrue(scheme.path("flows").path("clientCredentials").path("tokenUrl").asText().startsWith("https://"), scheme::toString);
        JsonNode authorizer = scheme.path("x-amazon-apigateway-authorizer");
        assertEquals("jwt", authorizer.path("type").asText());
        assertEquals("$request.header.Authorization", authorizer.path("identitySource").asText());
        assertEquals("{\"Ref\":\"JwtIssuer\"}", authorizer.path("jwtConfiguration").path("issuer").toString());
        assertEquals("{\"Ref\":\"JwtAudience\"}", authorizer.path("jwtConfiguration").path("audience").toString());
        assertFalse(SPEC.root.has("security"), "no document-wide security: each operation names its own");
        String jwt = "[{\"JwtAuthorizer\":[]}]";
        for (Operation op : SPEC.operations()) {
            if (op.path().startsWith("/ui")) {
                assertFalse(op.node().has("security"), op + " is served without the authorizer");
            } else {
                assertEquals(jwt, op.node().path("security").toString(), op + " takes the JWT");
            }
            if (op.path().startsWith("/v1/")) {
                JsonNode params = SPEC.at("/paths/" + OpenApiSpec.escape(op.path()) + "/parameters");
                assertTrue(params.toString().contains("#/components/parameters/XTenantId"), op + " documents X-Tenant-Id (local)");
            }
        }
        JsonNode fallback = SPEC.at("/paths/" + OpenApiSpec.escape("/$default") + "/x-amazon-apigateway-any-method");
        assertTrue(fallback.path("isDefaultRoute").asBoolean(), "/$default is API Gateway's $default route");
        assertEquals(jwt, fallback.path("security").toString(), "$default takes the JWT");
        assertTrue(SPEC.at("/components/parameters/XTenantId").path(OpenApiSpec.LOCAL_ONLY).asBoolean());
    }

    /** Any route can fail these ways (CONTRACT.md's table): every /v1 operation says so. */
    @Test
    void everyV1OperationDocumentsTheErrorsAnyRouteCanAnswer() {
        for (Operation op : SPEC.operations()) {
            if (!op.path().startsWith("/v1/")) {
                continue;
            }
            for (int status : List.of(400, 401, 429, 500, 503, 504)) {
                assertNotNull(SPEC.response(op, status), op + " documents " + status);
            }
            String throttled = SPEC.response(op, 429);
            assertTrue(SPEC.at(throttled).path("headers").has("Retry-After"), op + "'s 429 has Retry-After");
            assertTrue(SPEC.at(SPEC.response(op, 503)).path("headers").has("Retry-After"), op + "'s 503 has Retry-After");
            assertTrue(SPEC.at(SPEC.response(op, 401)).toString().contains("GatewayMessage"), op + ": the authorizer's own 401");
        }
    }

    /** The codes each status carries in the code, the document's codes, and CONTRACT.md's table agree. */
    @Test
    void errorCodesAreTheOnesTheCodeAnswersWithTheirStatuses() throws IOException {
        Map<String, Integer> inCode = new TreeMap<>();
        Pattern thrown = Pattern.compile("new ApiException\\((\\d{3}), \"([a-z_]+)\"");
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = thrown.matcher(Files.readString(f));
                while (m.find()) {
                    Integer before = inCode.put(m.group(2), Integer.valueOf(m.group(1)));
                    assertTrue(before == null || before == Integer.parseInt(m.group(1)), m.group(2) + " has one status");
                }
            }
        }
        Map<String, Integer> contract = new TreeMap<>(Map.ofEntries(Map.entry("invalid_request", 400), Map.entry("unauthorized", 401),
                Map.entry("forbidden", 403), // beyond CONTRACT.md's table: a route's scope (security review, issue 18)
                Map.entry("session_not_found", 404), Map.entry("event_not_found", 404), Map.entry("loop_not_found", 404),
                Map.entry("route_not_found", 404), Map.entry("method_not_allowed", 405), Map.entry("seq_conflict", 409),
                Map.entry("partial_duplicate", 409), Map.entry("session_exists", 409), Map.entry("session_erasing", 409),
                Map.entry("session_erased", 410), Map.entry("too_large", 413), Map.entry("throttled", 429),
                Map.entry("internal", 500), Map.entry("unavailable", 503),
                Map.entry("follow_unavailable", 404))); // beyond CONTRACT.md's table: following over WebSocket (issue 23)
        assertEquals(contract, inCode, "CONTRACT.md's error table is what the code answers");

        Set<String> enumerated = new TreeSet<>();
        SPEC.at("/components/schemas/ErrorCode/enum").forEach(c -> enumerated.add(c.asText()));
        assertEquals(contract.keySet(), enumerated, "ErrorCode lists every code");

        // Each response's x-sessionlog-error-codes carry the status of that response, and together name every code.
        Set<String> named = new TreeSet<>();
        List<String> responses = new ArrayList<>();
        SPEC.at("/components/responses").fieldNames().forEachRemaining(n -> responses.add("/components/responses/" + OpenApiSpec.escape(n)));
        for (Operation op : SPEC.operations()) {
            op.node().path("responses").fieldNames().forEachRemaining(s -> responses.add(op.pointer() + "/responses/" + s));
        }
        for (String pointer : responses) {
            JsonNode response = SPEC.at(pointer);
            for (JsonNode code : response.path(OpenApiSpec.ERROR_CODES)) {
                named.add(code.asText());
                if (pointer.contains("/paths/")) {
                    String status = pointer.substring(pointer.lastIndexOf('/') + 1);
                    assertEquals(String.valueOf(contract.get(code.asText())), status, pointer + " names " + code);
                }
            }
        }
        for (Operation op : SPEC.operations()) {
            op.node().path("responses").fields().forEachRemaining(r -> {
                String target = SPEC.follow(op.pointer() + "/responses/" + r.getKey());
                for (JsonNode code : SPEC.at(target).path(OpenApiSpec.ERROR_CODES)) {
                    assertEquals(String.valueOf(contract.get(code.asText())), r.getKey(), op + " " + r.getKey() + " names " + code);
                }
            });
        }
        assertEquals(contract.keySet(), named, "every code is some response's");
        assertEquals(List.of("route_not_found"), codes("/components/responses/RouteNotFound"));
        assertEquals(List.of("method_not_allowed"), codes("/components/responses/MethodNotAllowed"));
    }

    private static List<String> codes(String pointer) {
        List<String> codes = new ArrayList<>();
        SPEC.at(pointer).path(OpenApiSpec.ERROR_CODES).forEach(c -> codes.add(c.asText()));
        return codes;
    }

    /** The ranges and limits the document states are the ones the code enforces. */
    @Test
    void limitsAreTheCodes() {
        JsonNode limit = SPEC.at("/components/parameters/Limit/schema");
        assertEquals(1, limit.path("minimum").asInt());
        assertEquals(QueryHandler.MAX_LIMIT, limit.path("maximum").asInt());
        assertEquals(QueryHandler.DEFAULT_LIMIT, limit.path("default").asInt());
        JsonNode sessionsLimit = param("GET", "/v1/sessions", "limit");
        assertEquals(SessionList.MAX_LIMIT, sessionsLimit.path("maximum").asInt());
        assertEquals(SessionList.DEFAULT_LIMIT, sessionsLimit.path("default").asInt());
        assertEquals(SessionList.MAX_AGENT_ID_CHARS, param("GET", "/v1/sessions", "agent_id").path("maxLength").asInt());
        JsonNode wait = param("GET", "/v1/sessions/{session_id}/events", "wait");
        assertEquals(1, wait.path("minimum").asInt());
        assertEquals(TailWaiter.MAX_WAIT_SECONDS, wait.path("maximum").asInt());
        JsonNode types = param("GET", "/v1/sessions/{session_id}/events", "types");
        assertEquals(QueryParams.MAX_TYPES, types.path("maxItems").asInt());
        assertEquals(Limits.MAX_TYPE_LENGTH, types.path("items").path("maxLength").asInt());
        assertEquals(Limits.MAX_TYPE_LENGTH, SPEC.at("/components/schemas/Event/properties/type/maxLength").asInt());
        assertEquals(Limits.MAX_EVENTS, SPEC.at("/components/schemas/AppendRequest/properties/events/maxItems").asInt());
        assertEquals(Ids.MAX_LENGTH, SPEC.at("/components/schemas/Id/maxLength").asInt());
        assertEquals("^[A-Za-z0-9._:-]{1," + Ids.MAX_LENGTH + "}$", SPEC.at("/components/schemas/Id/pattern").asText());
        for (String id : List.of("s1", "a.b_c:d-e", "x".repeat(128), "", "x".repeat(129), "a/b", "ü")) {
            assertEquals(Ids.isValid(id), id.matches(SPEC.at("/components/schemas/Id/pattern").asText()), id);
        }
        assertTrue(SPEC.operation("POST", "/v1/sessions/{session_id}/fork").node().path("description").asText()
                .contains("at most " + Limits.MAX_FORK_DEPTH + " levels deep"), "the fork depth limit");
        String description = SPEC.at("/info/description").asText();
        assertTrue(description.contains("100 events, each at most 1 MiB") && Limits.MAX_EVENTS == 100
                && Limits.MAX_EVENT_BYTES == 1024 * 1024 && Limits.MAX_REQUEST_BYTES == 5 * 1024 * 1024
                && description.contains("5 MiB") && description.contains(String.format("%,d", dev.sessionlog.event.Json.REQUEST_MAX_DEPTH)));
    }

    private static JsonNode param(String method, String path, String name) {
        for (JsonNode p : SPEC.operation(method, path).node().path("parameters")) {
            JsonNode resolved = p.has("$ref") ? SPEC.at(SPEC.follow(p.get("$ref").asText().substring(1))) : p;
            if (resolved.path("name").asText().equals(name)) {
                return resolved.path("schema");
            }
        }
        throw new AssertionError(method + " " + path + " has no parameter " + name);
    }

    /** The parser openapi-generator itself reads documents with finds nothing wrong, every $ref included. */
    @Test
    void aStandardParserReadsTheSpecWithoutComplaint() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readLocation(OpenApiSpec.FILE.toString(), null, options);
        assertEquals(List.of(), result.getMessages());
        // 3.0: API Gateway imports no 3.1 document ("Unable to determine OAS version"), and the template imports this one.
        assertTrue(result.getOpenAPI().getOpenapi().startsWith("3.0."), result.getOpenAPI().getOpenapi());
        assertEquals(SPEC.operations().size(), result.getOpenAPI().getPaths().values().stream()
                .mapToInt(p -> p.readOperations().size()).sum());
        Set<String> ids = new TreeSet<>();
        for (Operation op : SPEC.operations()) {
            assertTrue(ids.add(op.node().path("operationId").asText()), op + " has an operationId of its own");
        }
    }
}
