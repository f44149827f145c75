package dev.sessionlog.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.InvalidRequestException;
import dev.sessionlog.event.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB's LastEvaluatedKey as an opaque URL-safe cursor. A decoded cursor is used only when its
 * partition is the caller's own: a forged cursor gets a 400, never another tenant's page.
 */
public final class PageCursor {

    private PageCursor() {
    }

    /** The cursor of the next page, or null when there is none. */
    public static String encode(Map<String, AttributeValue> lastKey) {
        if (lastKey == null || lastKey.isEmpty()) {
            return null;
        }
        ObjectNode node = Json.MAPPER.createObjectNode();
        lastKey.forEach((name, value) -> node.put(name, value.s() != null ? "S:" + value.s() : "N:" + value.n()));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(node));
    }

    /**
     * @param partitionAttribute the index's partition attribute, which must hold {@code partitionValue}
     * @return the ExclusiveStartKey, or null for no cursor
     * @throws InvalidRequestException when the cursor is not one this listing made
     */
    public static Map<String, AttributeValue> decode(String cursor, String partitionAttribute, String partitionValue) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        try {
            JsonNode node = Json.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            node.fields().forEachRemaining(f -> {
                String v = f.getValue().asText();
                key.put(f.getKey(), v.startsWith("N:") ? AttributeValue.fromN(v.substring(2)) : AttributeValue.fromS(v.substring(2)));
            });
        } catch (RuntimeException | JsonProcessingException e) {
            throw new InvalidRequestException("cursor is not valid: pass next_cursor of the previous page");
        }
        AttributeValue partition = key.get(partitionAttribute);
        if (partition == null || !partitionValue.equals(partition.s())) {
            throw new InvalidRequestException("cursor is not valid: it belongs to another listing");
        }
        return key;
    }
}
