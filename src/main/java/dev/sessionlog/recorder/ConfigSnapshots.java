package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The LoopConfigSnapshot recorder.rs derives when AgentStart carried none: model and provider of the
 * first assistant message, config_id from the loop id.
 */
final class ConfigSnapshots {

    private ConfigSnapshots() {
    }

    static boolean isAssistant(JsonNode message) {
        JsonNode role = message.get("role");
        return role != null && "assistant".equals(role.textValue());
    }

    /** The snapshot of one message, or null when it is not an assistant message. */
    static ObjectNode fromMessage(JsonNode message, String loopId) {
        if (message == null || !message.isObject() || !isAssistant(message)) {
            return null;
        }
        ObjectNode c = Json.object();
        c.set("model", Json.nullable(Json.orNull(message.get("model"))));
        c.set("provider", Json.nullable(Json.orNull(message.get("provider"))));
        c.set("config_id", Json.text(LoopIds.configSegment(loopId)));
        return c;
    }

    /** The snapshot of the first assistant message among messages, or null. */
    static ObjectNode fromMessages(JsonNode messages, String loopId) {
        if (messages == null) {
            return null;
        }
        for (JsonNode m : messages) {
            ObjectNode c = fromMessage(m, loopId);
            if (c != null) {
                return c;
            }
        }
        return null;
    }
}
