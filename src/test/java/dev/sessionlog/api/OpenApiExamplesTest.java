package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.testing.OpenApiSpec;
import dev.sessionlog.testing.OpenApiSpec.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every example in openapi.yaml is an instance of its schema (made strict: no field the schema does not name). */
class OpenApiExamplesTest {

    static final OpenApiSpec SPEC = OpenApiSpec.load();

    /** Each example, by where it is, with the pointer of the schema it must fit. */
    record Example(String where, JsonNode value, String schema) {
    }

    static List<Example> examples() {
        List<Example> found = new ArrayList<>();
        collect(SPEC.root, "", found);
        return found;
    }

    /**
     * Media types, parameters and headers hold {@code example} or a map of {@code examples} beside their
     * {@code schema}; schemas hold an {@code examples} array (or the older {@code example}).
     */
    private static void collect(JsonNode node, String pointer, List<Example> found) {
        if (node.isObject()) {
            boolean hasSchema = node.has("schema");
            String schema = hasSchema ? pointer + "/schema" : pointer;
            if (node.has("example")) {
                found.add(new Example(pointer + "/example", node.get("example"), schema));
            }
            JsonNode examples = node.get("examples");
            if (examples != null && examples.isArray() && !hasSchema) {
                for (int i = 0; i < examples.size(); i++) {
                    found.add(new Example(pointer + "/examples/" + i, examples.get(i), pointer));
                }
            } else if (examples != null && examples.isObject() && hasSchema) {
                examples.fields().forEachRemaining(e -> {
                    String at = SPEC.follow(pointer + "/examples/" + OpenApiSpec.escape(e.getKey()));
                    JsonNode value = SPEC.at(at).get("value");
                    assertTrue(value != null, at + " has a value");
                    found.add(new Example(at + " (" + pointer + ")", value, schema));
                });
            }
            node.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("example") && !f.getKey().equals("examples")) {
                    collect(f.getValue(), pointer + "/" + OpenApiSpec.escape(f.getKey()), found);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), pointer + "/" + i, found);
            }
        }
    }

    @Test
    void everyExampleFitsItsSchema() {
        List<Example> examples = examples();
        Map<String, List<String>> wrong = new LinkedHashMap<>();
        for (Example e : examples) {
            List<String> errors = SPEC.validate(SPEC.follow(e.schema()), e.value());
            if (!errors.isEmpty()) {
                wrong.put(e.where(), errors);
            }
        }
        assertEquals(Map.of(), wrong);
        assertTrue(examples.size() >= 60, "examples found: " + examples.size());
    }

    /**
     * OpenAPI 3.0's {@code nullable} is read as JSON Schema's null type: a nullable field takes null and
     * still refuses any other value its schema refuses (here a nullable reference, the receipt's chain).
     */
    @Test
    void aNullableFieldTakesNullAndStillRefusesWhatItsSchemaRefuses() {
        String schema = "/components/schemas/AppendResponse";
        java.util.function.Function<String, List<String>> check = chain -> SPEC.validate(schema, dev.sessionlog.event.Json.parse(
                ("{\"session_id\":\"s1\",\"head_seq\":1,\"chain\":" + chain + ",\"events\":[]}").getBytes()));
        assertEquals(List.of(), check.apply("null"));
        assertEquals(List.of(), check.apply("\"" + "ab".repeat(32) + "\""));
        assertFalse(check.apply("5").isEmpty(), "a number is no chain");
        assertFalse(check.apply("\"not-hex\"").isEmpty(), "the pattern still holds");
        assertTrue(SPEC.at(schema + "/properties/chain").path("nullable").asBoolean(), "the document says nullable, as 3.0 does");
    }

    /** OpenAPI 3.0.3: nullable adds null to the type named in the same schema; without one it means nothing. */
    @Test
    void everyNullableSchemaNamesItsType() {
        List<String> typeless = new ArrayList<>();
        nullables(SPEC.root, "", typeless);
        assertEquals(List.of(), typeless);
    }

    private static void nullables(JsonNode node, String pointer, List<String> typeless) {
        if (node.isObject()) {
            if (node.path("nullable").asBoolean(false) && !node.path("type").isTextual()) {
                typeless.add(pointer);
            }
            node.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("example") && !f.getKey().equals("examples")) {
                    nullables(f.getValue(), pointer + "/" + OpenApiSpec.escape(f.getKey()), typeless);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                nullables(node.get(i), pointer + "/" + i, typeless);
            }
        }
    }

    /** Every request body, and every success and function error response of the API, shows an example. */
    @Test
    void everyBodyTheApiTakesOrAnswersHasAnExample() {
        List<Example> examples = examples();
        List<String> missing = new ArrayList<>();
        for (Operation op : SPEC.operations()) {
            List<String> places = new ArrayList<>();
            if (op.node().has("requestBody")) {
                places.add(op.pointer() + "/requestBody");
            }
            op.node().path("responses").fieldNames().forEachRemaining(s -> places.add(op.pointer() + "/responses/" + s));
            for (String place : places) {
                String target = SPEC.follow(place);
                SPEC.at(target).path("content").fields().forEachRemaining(c -> {
                    if (c.getKey().equals("application/json")) {
                        String mediaType = target + "/content/" + OpenApiSpec.escape(c.getKey());
                        if (examples.stream().noneMatch(e -> e.where().endsWith("(" + mediaType + ")")
                                || e.where().startsWith(mediaType + "/example"))) {
                            missing.add(op + " " + place.substring(op.pointer().length()));
                        }
                    }
                });
            }
        }
        assertEquals(List.of(), missing);
        assertFalse(examples.isEmpty());
    }
}
