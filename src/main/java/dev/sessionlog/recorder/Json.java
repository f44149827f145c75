package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one node factory of the package, and null handling shared by the writers and readers. */
final class Json {

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Json() {
    }

    static ObjectNode object() {
        return F.objectNode();
    }

    static ArrayNode array() {
        return F.arrayNode();
    }

    /** Java null for a missing field or a JSON null, so that the model never holds NullNode. */
    static JsonNode orNull(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }

    /** JSON null for Java null, so that writers always emit the field. */
    static JsonNode nullable(JsonNode n) {
        return n == null ? F.nullNode() : n;
    }

    static JsonNode text(String s) {
        return s == null ? F.nullNode() : F.textNode(s);
    }
}
