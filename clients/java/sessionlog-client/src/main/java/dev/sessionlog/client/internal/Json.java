package dev.sessionlog.client.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The client's one JSON mapper: the API's snake_case names, and answers read leniently (new fields are ignored). */
public final class Json {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .serializationInclusion(JsonInclude.Include.ALWAYS)
          .findAndAddModules()
          .build();

  /** A plain mapper for the caller's own event objects: their field names are kept as written. */
  public static final ObjectMapper EVENTS = JsonMapper.builder().findAndAddModules().build();

  private Json() {}

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T read(byte[] body, Class<T> type) {
    try {
      return MAPPER.readValue(body, type);
    } catch (IOException e) {
      throw new UncheckedIOException("the answer is not the JSON the API describes: " + e.getMessage(), e);
    }
  }

  public static JsonNode tree(byte[] body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  /** The caller's event as a JSON object, checked for what every event needs: a non-empty string {@code type}. */
  public static ObjectNode eventObject(Object event, String argumentName) {
    if (event == null) {
      throw new IllegalArgumentException(argumentName + " must not be null");
    }
    JsonNode node = event instanceof JsonNode j ? j : EVENTS.valueToTree(event);
    if (!(node instanceof ObjectNode object)) {
      throw new IllegalArgumentException(argumentName + " must be a JSON object, was " + node.getNodeType());
    }
    JsonNode type = object.get("type");
    if (type == null || !type.isTextual() || type.asText().isEmpty()) {
      throw new IllegalArgumentException(argumentName + ".type is required and must be a non-empty string");
    }
    if (type.asText().length() > 256) {
      throw new IllegalArgumentException(argumentName + ".type must be at most 256 characters");
    }
    return object;
  }
}
