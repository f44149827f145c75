package dev.sessionlog.adk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.adk.JsonBaseModel;
import com.google.adk.sessions.State;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * State as stored: deltas whose removed keys hold ADK's sentinel string, folded onto a snapshot.
 * {@code State.REMOVED} is written by ADK's mapper as "__ADK_SENTINEL_REMOVED__" and comes back
 * from JSON as that plain string: folding maps it back to a removal.
 */
final class StateFold {
  static final String REMOVED_JSON = "__ADK_SENTINEL_REMOVED__";
  static final ObjectMapper JSON = JsonBaseModel.getMapper();

  private StateFold() {}

  /** Applies a delta (JSON object) to the state, only the keys {@code scope} accepts, without their prefix. */
  static void apply(Map<String, Object> state, JsonNode delta, Scope scope) {
    if (delta == null || !delta.isObject()) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = delta.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = scope.unprefixed(field.getKey());
      if (key == null) {
        continue;
      }
      JsonNode value = field.getValue();
      if (value.isTextual() && REMOVED_JSON.equals(value.asText())) {
        state.remove(key);
      } else {
        state.put(key, JSON.convertValue(value, Object.class));
      }
    }
  }

  static Map<String, Object> fromJson(JsonNode object) {
    Map<String, Object> state = new LinkedHashMap<>();
    apply(state, object, Scope.ANY);
    return state;
  }

  /** Which keys of a delta belong where: app:, user:, the session's own (no prefix); temp: keys nowhere. */
  enum Scope {
    APP(State.APP_PREFIX),
    USER(State.USER_PREFIX),
    SESSION(null),
    ANY(null);

    private final String prefix;

    Scope(String prefix) {
      this.prefix = prefix;
    }

    /** The key without this scope's prefix; null when the key is not of this scope. */
    String unprefixed(String key) {
      if (this == ANY) {
        return key;
      }
      if (prefix != null) {
        return key.startsWith(prefix) ? key.substring(prefix.length()) : null;
      }
      return of(key) == SESSION ? key : null;
    }

    static Scope of(String key) {
      if (key.startsWith(State.APP_PREFIX)) {
        return APP;
      }
      if (key.startsWith(State.USER_PREFIX)) {
        return USER;
      }
      if (key.startsWith(State.TEMP_PREFIX)) {
        return null;
      }
      return SESSION;
    }
  }
}
