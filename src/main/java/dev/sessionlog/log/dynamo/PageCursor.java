package dev.sessionlog.log.dynamo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.InvalidRequestException;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB's LastEvaluatedKey as an opaque URL-safe cursor, bound to the listing that made it. A
 * cursor is used only when it has exactly the key attributes of that listing, of the right types,
 * its partition is the caller's own and its query matches (the same filters as the page it came
 * from): anything else is a 400, never another tenant's page and never a 500 from DynamoDB.
 */
public final class PageCursor {

    /**
     * What a listing's cursor must look like.
     *
     * @param keyTypes           the key attributes of the index and the table, to "S" or "N"
     * @param partitionAttribute the attribute that must hold {@code partitionValue}
     * @param partitionValue     the caller's partition of the listing
     * @param query              the listing's filters in canonical form ("" when it has none)
     */
    public record Shape(Map<String, String> keyTypes, String partitionAttribute, String partitionValue, String query) {
    }

    private PageCursor() {
    }

    /** The cursor of the next page, or null when there is none. */
    public static String encode(Map<String, AttributeValue> lastKey, String query) {
        if (lastKey == null || lastKey.isEmpty()) {
            return null;
        }
        ObjectNode node = Json.MAPPER.createObjectNode();
        ObjectNode key = node.putObject("k");
        lastKey.forEach((name, value) -> key.put(name, value.s() != null ? "S:" + value.s() : "N:" + value.n()));
        if (!query.isEmpty()) {
            node.put("q", query);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(node));
    }

    /**
     * @return the ExclusiveStartKey, or null for no cursor
     * @throws InvalidRequestException when the cursor is not one this listing made
     */
    public static Map<String, AttributeValue> decode(String cursor, Shape shape) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        JsonNode node;
        try {
            node = Json.parse(Base64.getUrlDecoder().decode(cursor));
        } catch (RuntimeException e) {
            throw invalid("pass next_cursor of the previous page unchanged");
        }
        JsonNode key = node.path("k");
        if (!node.isObject() || !key.isObject() || key.size() != shape.keyTypes().size()) {
            throw invalid("pass next_cursor of the previous page unchanged");
        }
        if (!shape.query().equals(node.path("q").asText(""))) {
            throw invalid("it belongs to a listing with other parameters; repeat them unchanged with the cursor");
        }
        Map<String, AttributeValue> start = new LinkedHashMap<>();
        for (Map.Entry<String, String> attribute : shape.keyTypes().entrySet()) {
            JsonNode v = key.get(attribute.getKey());
            String text = v == null || !v.isTextual() ? "" : v.textValue();
            if (!text.startsWith(attribute.getValue() + ":") || text.length() < 3) {
                throw invalid("pass next_cursor of the previous page unchanged");
            }
            String value = text.substring(2);
            if (attribute.getValue().equals("N")) {
                try {
                    Long.parseLong(value); // every numeric key of this product is a seq
                } catch (NumberFormatException e) {
                    throw invalid("pass next_cursor of the previous page unchanged");
                }
                start.put(attribute.getKey(), AttributeValue.fromN(value));
            } else {
                start.put(attribute.getKey(), AttributeValue.fromS(value));
            }
        }
        if (!shape.partitionValue().equals(start.get(shape.partitionAttribute()).s())) {
            throw invalid("it belongs to another listing");
        }
        return start;
    }

    private static InvalidRequestException invalid(String why) {
        return new InvalidRequestException("cursor is not valid: " + why);
    }

    /** The index's key attributes in a map, for a {@link Shape}: name, type, name, type... */
    public static Map<String, String> keys(String... namesAndTypes) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            keys.put(namesAndTypes[i], namesAndTypes[i + 1]);
        }
        return keys;
    }

    /** Checks a cursor's table key belongs to the tenant's sessions. */
    public static void requireTenant(Map<String, AttributeValue> key, String pkAttribute, String tenant) {
        if (key == null) {
            return;
        }
        AttributeValue pk = key.get(pkAttribute);
        if (pk == null || pk.s() == null || !pk.s().startsWith(StreamKey.encodeTenant(tenant) + "#")) {
            throw invalid("it belongs to another listing");
        }
    }
}
