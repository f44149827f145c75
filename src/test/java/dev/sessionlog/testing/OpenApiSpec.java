package dev.sessionlog.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.sessionlog.event.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * openapi.yaml, the API's one list of routes, as the tests read it: its operations, and its schemas
 * as a JSON Schema validator sees them. The document is OpenAPI 3.0 (what API Gateway imports); its
 * schemas are read as JSON Schema 2020-12 by networknt's OpenAPI 3.1 dialect, after the one rewrite
 * 3.0 needs: {@code nullable: true} becomes a {@code "null"} type. They are also made strict for the
 * tests: every object schema that lists its properties and says nothing of others gets
 * {@code unevaluatedProperties: false}, so that a field the handlers answer and the document does not
 * describe fails a test. (The document itself stays open, as clients of a growing API want.)
 */
public final class OpenApiSpec {

    public static final Path FILE = Path.of("openapi.yaml");
    /** Where the validator finds the document: an id of the tests' own, nothing is fetched. */
    private static final String BASE = "https://sessionlog.test/openapi.json";
    /** Operation keys of a path item, in OpenAPI's words. */
    public static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    public static final String LOCAL_ONLY = "x-sessionlog-local-only";
    public static final String ERROR_CODES = "x-sessionlog-error-codes";

    private static OpenApiSpec loaded;

    /** The document as written. */
    public final JsonNode root;
    /** The document as validated: strict (see above). */
    private final JsonNode strict;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** One operation: its method (upper case, as HTTP writes it) and path, as the document writes them. */
    public record Operation(String method, String path, JsonNode node) {
        public boolean localOnly() {
            return node.path(LOCAL_ONLY).asBoolean(false);
        }

        public String pointer() {
            return "/paths/" + escape(path) + "/" + method.toLowerCase();
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private OpenApiSpec() {
        try {
            root = new YAMLMapper().readTree(FILE.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        strict = nullAsAType(root.deepCopy());
        closeObjects(strict);
        String text = Json.write(strict);
        registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(), b -> b.schemas(Map.of(BASE, text)));
    }

    public static synchronized OpenApiSpec load() {
        if (loaded == null) {
            loaded = new OpenApiSpec();
        }
        return loaded;
    }

    /**
     * OpenAPI 3.0's {@code nullable: true} in JSON Schema 2020-12's words: null is a value the schema
     * takes. A plain schema gets {@code "null"} in its type (and its enum); one that composes others
     * (a nullable {@code allOf} of a reference, the document's form for a nullable id or object) becomes
     * {@code anyOf} of itself and null, since the referenced schema alone would refuse null.
     */
    static JsonNode nullAsAType(JsonNode node) {
        if (node.isArray()) {
            ArrayNode a = (ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, nullAsAType(a.get(i)));
            }
            return a;
        }
        if (!node.isObject()) {
            return node;
        }
        ObjectNode o = (ObjectNode) node;
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (!name.equals("example") && !name.equals("examples")) {
                o.set(name, nullAsAType(o.get(name)));
            }
        }
        if (!o.path("nullable").asBoolean(false)) {
            return o;
        }
        o.remove("nullable");
        boolean composed = o.has("allOf") || o.has("oneOf") || o.has("anyOf") || o.has("$ref");
        if (o.path("type").isTextual() && !composed) {
            o.set("type", o.arrayNode().add(o.get("type").asText()).add("null"));
            if (o.path("enum").isArray()) {
                ((ArrayNode) o.get("enum")).addNull();
            }
            return o;
        }
        ObjectNode either = o.objectNode();
        either.putArray("anyOf").add(o).addObject().put("type", "null");
        return either;
    }

    private static void closeObjects(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            if (o.path("properties").isObject() && !o.has("additionalProperties") && !o.has("unevaluatedProperties")) {
                o.put("unevaluatedProperties", false);
            }
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!f.getKey().equals("example") && !f.getKey().equals("examples")) {
                    closeObjects(f.getValue());
                }
            }
        } else if (node.isArray()) {
            node.forEach(OpenApiSpec::closeObjects);
        }
    }

    /** A JSON pointer's token: "/" and "~" escaped (RFC 6901). */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    public List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        root.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> {
            if (METHODS.contains(m.getKey())) {
                ops.add(new Operation(m.getKey().toUpperCase(), p.getKey(), m.getValue()));
            }
        }));
        return ops;
    }

    public Operation operation(String method, String path) {
        return operations().stream().filter(o -> o.method().equals(method) && o.path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("openapi.yaml has no operation " + method + " " + path));
    }

    /** The node at a JSON pointer of the document as written. */
    public JsonNode at(String pointer) {
        JsonNode n = root.at(pointer);
        if (n.isMissingNode()) {
            throw new AssertionError("openapi.yaml has nothing at " + pointer);
        }
        return n;
    }

    /** The pointer that {@code pointer} leads to, following local {@code $ref}s. */
    public String follow(String pointer) {
        for (int hops = 0; hops < 10; hops++) {
            JsonNode ref = at(pointer).get("$ref");
            if (ref == null) {
                return pointer;
            }
            if (!ref.asText().startsWith("#/")) {
                throw new AssertionError("only local references are expected, found " + ref + " at " + pointer);
            }
            pointer = ref.asText().substring(1);
        }
        throw new AssertionError("a $ref loop at " + pointer);
    }

    /** The pointer of the response an operation documents for a status, after $refs; null when it documents none. */
    public String response(Operation op, int status) {
        String pointer = op.pointer() + "/responses/" + status;
        return root.at(pointer).isMissingNode() ? null : follow(pointer);
    }

    /** What validating {@code instance} against the schema at {@code pointer} finds wrong; empty when nothing. */
    public List<String> validate(String pointer, JsonNode instance) {
        Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(BASE + "#" + p)));
        return schema.validate(instance).stream().map(com.networknt.schema.Error::toString).toList();
    }
}
