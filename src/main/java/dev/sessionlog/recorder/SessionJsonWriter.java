package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * Writes the served materialized session (CONTRACT.md "Materialized session") in phi-core's field
 * names and order. Session and loop objects are new on every call; turns, messages, config and
 * metadata are shared with the fold and must be treated as read-only.
 */
final class SessionJsonWriter {

    private SessionJsonWriter() {
    }

    static ObjectNode session(FoldState s) {
        s.thaw(); // every loop is served
        ObjectNode o = Json.object();
        o.put("session_id", s.sessionId);
        o.set("agent_id", Json.text(s.agentId));
        o.put("created_at", Rfc3339.format(s.createdAt));
        o.put("last_active_at", Rfc3339.format(s.lastActiveAt));
        o.set("formation", formation(s.createdAt));
        o.set("parent_spawn_ref", Json.nullable(s.parentSpawnRef));
        o.put("scope", s.scope);
        ArrayNode loops = o.putArray("loops");
        for (LoopState l : s.loops) {
            loops.add(loop(l));
        }
        o.set("usage", s.totalUsage().toJson());
        o.put("status", s.status());
        o.put("recorded_through_seq", s.recordedThroughSeq);
        o.put("last_event_at", Rfc3339.format(s.lastEventAt));
        o.set("forked_from", forkedFrom(s));
        o.set("fold_errors", foldErrors(s.errors));
        o.put("fold_error_count", s.errorCount);
        return o;
    }

    /** The header of a session, for listings: no loops, no fold errors. */
    static ObjectNode summary(FoldState s) {
        ObjectNode o = Json.object();
        o.put("session_id", s.sessionId);
        o.set("agent_id", Json.text(s.agentId));
        o.put("created_at", Rfc3339.format(s.createdAt));
        o.put("last_active_at", Rfc3339.format(s.lastActiveAt));
        o.put("loop_count", s.loopCount());
        o.put("status", s.status());
        o.set("usage", s.totalUsage().toJson());
        o.put("recorded_through_seq", s.recordedThroughSeq);
        o.put("last_event_at", Rfc3339.format(s.lastEventAt));
        o.set("forked_from", forkedFrom(s));
        return o;
    }

    static com.fasterxml.jackson.databind.JsonNode forkedFrom(FoldState s) {
        if (s.forkedFrom == null) {
            return Json.F.nullNode();
        }
        ObjectNode o = Json.object();
        o.put("session_id", s.forkedFrom);
        o.put("seq", s.forkSeq);
        return o;
    }

    static ObjectNode loop(LoopState l) {
        ObjectNode o = Json.object();
        o.put("loop_id", l.loopId);
        o.put("session_id", l.sessionId);
        o.put("agent_id", l.agentId);
        o.set("parent_loop_id", Json.text(l.parentLoopId));
        o.set("continuation_kind", Json.nullable(l.continuationKind));
        o.put("status", l.status.name());
        o.put("started_at", Rfc3339.format(l.startedAt));
        o.put("ended_at", Rfc3339.format(l.endedAt));
        o.set("rejection", Json.text(l.rejection));
        o.set("config", Json.nullable(l.config));
        o.set("messages", l.messages != null ? l.messages : Json.array());
        ArrayNode turns = o.putArray("turns");
        for (ObjectNode t : l.turns) {
            turns.add(t);
        }
        o.set("usage", l.usage.toJson());
        o.set("metadata", Json.nullable(l.metadata));
        o.set("event_seqs", l.eventSeqs.toJson());
        ArrayNode children = o.putArray("children_loop_ids");
        for (String c : l.childrenLoopIds) {
            children.add(c);
        }
        ArrayNode refs = o.putArray("child_loop_refs");
        for (ObjectNode r : l.childLoopRefs) {
            refs.add(r);
        }
        o.set("parallel_group", Json.nullable(l.parallelGroup));
        return o;
    }

    static ObjectNode formation(Instant createdAt) {
        if (createdAt == null) {
            return null;
        }
        ObjectNode o = Json.object();
        o.putObject("FirstLoop").put("timestamp", Rfc3339.format(createdAt));
        return o;
    }

    static ArrayNode foldErrors(List<FoldError> errors) {
        ArrayNode a = Json.array();
        for (FoldError e : errors) {
            ObjectNode o = a.addObject();
            o.put("seq", e.seq());
            o.put("type", e.type());
            o.put("message", e.message());
        }
        return a;
    }

    static ObjectNode spawnRef(String parentSessionId, String parentLoopId, String toolCallId, String toolName) {
        ObjectNode o = Json.object();
        o.put("parent_session_id", parentSessionId);
        o.put("parent_loop_id", parentLoopId);
        o.put("tool_call_id", toolCallId);
        o.put("tool_name", toolName);
        return o;
    }

    static ObjectNode childLoopRef(String toolCallId, String toolName, String childLoopId, String childSessionId) {
        ObjectNode o = Json.object();
        o.put("tool_call_id", toolCallId);
        o.put("tool_name", toolName);
        o.put("child_loop_id", childLoopId);
        o.put("child_session_id", childSessionId);
        return o;
    }

    static ObjectNode parallelGroup(List<String> all, String selected, long index, Usage evaluation,
            boolean isSelected) {
        ObjectNode o = Json.object();
        ArrayNode ids = o.putArray("all_loop_ids");
        for (String id : all) {
            ids.add(id);
        }
        o.put("selected_loop_id", selected);
        o.put("selected_config_index", index);
        o.set("evaluation_usage", evaluation.toJson());
        o.put("is_selected", isSelected);
        return o;
    }

    /** phi-core's TurnId, camelCase inside. */
    static ObjectNode turnId(String loopId, long turnIndex) {
        ObjectNode o = Json.object();
        o.put("loopId", loopId);
        o.put("turnIndex", turnIndex);
        return o;
    }
}
