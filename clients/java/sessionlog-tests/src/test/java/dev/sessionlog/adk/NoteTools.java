package dev.sessionlog.adk;

import com.google.adk.tools.ToolContext;
import java.util.Map;

/** The agent's tools: they change state through ADK's ToolContext, so the deltas are ADK's own. */
public final class NoteTools {
  private NoteTools() {}

  public static Map<String, Object> remember(String key, String value, ToolContext toolContext) {
    toolContext.state().put(key, value);
    return Map.of("result", "remembered " + key + " (user:name is " + toolContext.state().get("user:name")
        + ", app:motd is " + toolContext.state().get("app:motd") + ")");
  }

  public static Map<String, Object> forget(String key, ToolContext toolContext) {
    boolean had = toolContext.state().containsKey(key);
    toolContext.state().remove(key);
    return Map.of("result", (had ? "forgot " : "never knew ") + key);
  }
}
