package dev.sessionlog.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;

/** Builders of append request bodies with realistic phi-core events. */
public final class Events {
    private Events() {
    }

    public static ObjectNode batch(ObjectNode... envelopes) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode events = body.putArray("events");
        for (ObjectNode e : envelopes) {
            events.add(e);
        }
        return body;
    }

    public static ObjectNode envelope(String eventId, String parentEventId, ObjectNode event) {
        return envelope(eventId, parentEventId, null, event);
    }

    /** An envelope whose parent event is in another session. */
    public static ObjectNode envelope(String eventId, String parentEventId, String parentSessionId, ObjectNode event) {
        ObjectNode env = Json.MAPPER.createObjectNode();
        if (eventId != null) {
            env.put("event_id", eventId);
        }
        if (parentEventId != null) {
            env.put("parent_event_id", parentEventId);
        }
        if (parentSessionId != null) {
            env.put("parent_session_id", parentSessionId);
        }
        env.set("event", event);
        return env;
    }

    public static ObjectNode agentStart(String sessionId, String loopId) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("type", "AgentStart");
        e.put("agent_id", "agent-1");
        e.put("session_id", sessionId);
        e.put("loop_id", loopId);
        e.put("timestamp", "2026-11-21T10:00:00Z");
        return e;
    }

    public static ObjectNode userMessage(String loopId, String text) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("type", "MessageEnd");
        e.put("loop_id", loopId);
        ObjectNode message = e.putObject("message");
        message.put("role", "user");
        message.putArray("content").addObject().put("type", "text").put("text", text);
        message.put("timestamp", 1795255200000L);
        return e;
    }

    /** A MessageEnd whose event JSON (compact, as stored) is exactly {@code bytes} long. */
    public static ObjectNode userMessageOfSize(String loopId, int bytes) {
        ObjectNode e = userMessage(loopId, "");
        int base = Json.bytes(e).length;
        ((ObjectNode) e.get("message").get("content").get(0)).put("text", "x".repeat(bytes - base));
        return e;
    }

    /** Lowercase letters from a seed: text that gzip shrinks by less than half. */
    public static String randomText(int seed, int length) {
        java.util.Random random = new java.util.Random(seed);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }
}
