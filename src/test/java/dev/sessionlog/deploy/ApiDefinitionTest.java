package dev.sessionlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.api.Route;
import dev.sessionlog.local.CloudFormationTemplate;
import dev.sessionlog.testing.OpenApiSpec;
import dev.sessionlog.testing.OpenApiSpec.Operation;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The HTTP API that deploys is openapi.yaml: template.yaml's HttpApi includes the document, each of its
 * routes goes to the function that serves it, and everything the document refers to in the template
 * (functions' aliases, parameters) is there.
 */
class ApiDefinitionTest {

    static final CloudFormationTemplate TEMPLATE = CloudFormationTemplate.load();
    static final OpenApiSpec SPEC = OpenApiSpec.load();
    static final Pattern FUNCTION_URI = Pattern.compile(
            "arn:\\$\\{AWS::Partition}:apigateway:\\$\\{AWS::Region}:lambda:path/2015-03-31/functions/\\$\\{(\\w+)Aliaslive}/invocations");

    @Test
    @SuppressWarnings("unchecked")
    void theHttpApiTakesItsDefinitionFromOpenApiYamlAndNoFunctionAddsRoutes() {
        Map<String, Object> api = TEMPLATE.properties("HttpApi");
        assertEquals(Map.of("Fn::Transform", Map.of("Name", "AWS::Include", "Parameters", Map.of("Location", "openapi.yaml"))),
                api.get("DefinitionBody"));
        assertFalse(api.containsKey("Auth") || api.containsKey("DefinitionUri"), "the authorizer is the document's");
        for (String function : TEMPLATE.resourcesOfType("AWS::Serverless::Function")) {
            Map<String, Object> events = (Map<String, Object>) TEMPLATE.properties(function).getOrDefault("Events", Map.of());
            events.forEach((name, e) -> assertFalse("HttpApi".equals(((Map<String, Object>) e).get("Type")),
                    function + "'s event " + name + " would add a route SAM cannot merge into an included definition"));
        }
    }

    /** The document must be plain YAML (CloudFormation's long-form intrinsics only) for every OpenAPI tool. */
    @Test
    void theDocumentIsPlainYaml() throws IOException {
        try (Reader reader = Files.newBufferedReader(OpenApiSpec.FILE)) {
            assertNotNull(new Yaml(new SafeConstructor(new LoaderOptions())).load(reader), "a !Ref or !Sub would fail here");
        }
    }

    /**
     * Write routes go to the append function, the events read (which may wait) to the tail function,
     * every other operation and $default to the query function; the same Lambda proxy integration each.
     */
    @Test
    void everyRouteGoesToTheFunctionThatServesIt() {
        Map<String, String> routed = new TreeMap<>();
        for (Operation op : SPEC.operations()) {
            routed.put(op.toString(), functionOf(op.node().path("x-amazon-apigateway-integration"), op.toString()));
        }
        JsonNode fallback = SPEC.at("/paths/" + OpenApiSpec.escape("/$default") + "/x-amazon-apigateway-any-method");
        routed.put("$default", functionOf(fallback.path("x-amazon-apigateway-integration"), "$default"));

        Map<String, String> expected = new TreeMap<>();
        for (Operation op : SPEC.operations()) {
            String concrete = op.path().replaceAll("\\{[^}]+}", "x");
            boolean events = op.method().equals(Route.EVENTS.method()) && op.path().equals(Route.EVENTS.pathTemplate());
            expected.put(op.toString(), Route.goesToAppend(op.method(), concrete) ? "AppendFunction"
                    : events ? "TailFunction" : "QueryFunction");
        }
        expected.put("$default", "QueryFunction");
        assertEquals(expected, routed);
        assertEquals(Set.of("AppendFunction", "TailFunction", "QueryFunction"), new TreeSet<>(routed.values()));
        for (String function : new TreeSet<>(routed.values())) {
            String export = function.substring(0, function.length() - "Function".length()).toLowerCase();
            assertEquals(export, TemplateTest.environment(function).get("QUARKUS_FUNQY_EXPORT"), function + " exports " + export);
        }
    }

    private static String functionOf(JsonNode integration, String route) {
        assertEquals("aws_proxy", integration.path("type").asText(), route);
        assertEquals("POST", integration.path("httpMethod").asText(), route);
        assertEquals("2.0", integration.path("payloadFormatVersion").asText(), route + ": the payload the handlers parse");
        Matcher m = FUNCTION_URI.matcher(integration.path("uri").path("Fn::Sub").asText());
        assertTrue(m.matches(), route + " invokes a function's live alias: " + integration.path("uri"));
        return m.group(1);
    }

    /** API Gateway may invoke exactly the functions the document routes to, through their live alias, from this API. */
    @Test
    @SuppressWarnings("unchecked")
    void theApiMayInvokeTheFunctionsItRoutesToAndNoOthers() {
        Set<String> routed = new TreeSet<>();
        SPEC.operations().forEach(op -> routed.add(functionOf(op.node().path("x-amazon-apigateway-integration"), op.toString())));
        Set<String> permitted = new TreeSet<>();
        for (String permission : TEMPLATE.resourcesOfType("AWS::Lambda::Permission")) {
            Map<String, Object> p = TEMPLATE.properties(permission);
            if (!"apigateway.amazonaws.com".equals(p.get("Principal"))) {
                continue;
            }
            assertEquals("lambda:InvokeFunction", p.get("Action"), permission);
            String alias = (String) ((Map<String, Object>) p.get("FunctionName")).get("Ref");
            assertTrue(alias.endsWith("Aliaslive"), permission + " names a live alias: " + alias);
            String source = (String) ((Map<String, Object>) p.get("SourceArn")).get("Fn::Sub");
            if (source.contains("${FollowApi}")) {
                // the follow API (WebSocket) invokes the follow function, which its one integration names
                assertEquals("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${FollowApi}/*", source, permission);
                assertEquals("FollowFunctionAliaslive", alias, permission);
                assertTrue(TEMPLATE.properties("FollowIntegration").get("IntegrationUri").toString().contains("${FollowFunctionAliaslive}"));
                continue;
            }
            permitted.add(alias.substring(0, alias.length() - "Aliaslive".length()));
            assertEquals("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*", source, permission);
        }
        assertEquals(routed, permitted);
    }

    /**
     * Every name the document's intrinsics use resolves in the template once CloudFormation includes it:
     * a parameter, a pseudo parameter, or the live alias SAM makes of a function (AutoPublishAlias: live).
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyNameTheDocumentRefersToIsInTheTemplate() {
        Map<String, String> names = new LinkedHashMap<>();
        collect(SPEC.root, "", names);
        assertTrue(names.size() >= 5, names::toString);
        Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) TEMPLATE.root().get("Globals")).get("Function");
        assertEquals("live", globals.get("AutoPublishAlias"));
        Set<String> parameters = ((Map<String, Object>) TEMPLATE.root().get("Parameters")).keySet();
        Set<String> functions = new TreeSet<>(TEMPLATE.resourcesOfType("AWS::Serverless::Function"));
        names.forEach((name, where) -> assertTrue(name.startsWith("AWS::") || parameters.contains(name)
                || name.endsWith("Aliaslive") && functions.contains(name.substring(0, name.length() - "Aliaslive".length())),
                where + " refers to " + name + ", which the template does not have"));
    }

    private static void collect(JsonNode node, String where, Map<String, String> names) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getKey().equals("Ref")) {
                    names.put(f.getValue().asText(), where);
                } else if (f.getKey().equals("Fn::Sub")) {
                    Matcher m = Pattern.compile("\\$\\{([^}!]+)}").matcher(f.getValue().asText());
                    while (m.find()) {
                        names.put(m.group(1), where);
                    }
                } else {
                    assertFalse(f.getKey().startsWith("Fn::"), where + " uses " + f.getKey() + "; the document keeps to Ref and Fn::Sub");
                    collect(f.getValue(), where + "/" + f.getKey(), names);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, where, names));
        }
    }

    /** The stage keeps what the definition cannot say: access logs and throttling. */
    @Test
    void theStageKeepsAccessLogsAndThrottling() {
        Map<String, Object> api = TEMPLATE.properties("HttpApi");
        assertTrue(api.containsKey("AccessLogSettings") && api.containsKey("DefaultRouteSettings"), api.keySet()::toString);
    }
}
