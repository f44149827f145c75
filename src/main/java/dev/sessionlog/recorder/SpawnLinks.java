package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;

/**
 * Completes a sub-agent session's {@code parent_spawn_ref} from its parent session. The child's own
 * events only say which loop spawned it (AgentStart.parent_loop_id); the tool call that did it is in
 * the parent's events (ToolExecutionEnd with result.child_loop_id), which sessionlog folds into the
 * parent session's {@code child_loop_refs}. recorder.rs sees both sessions at once and enriches in
 * place; sessionlog folds each session alone, so the join happens here, on the materialized JSON.
 */
public final class SpawnLinks {

    private SpawnLinks() {
    }

    /**
     * The child session with {@code tool_call_id} and {@code tool_name} of its parent_spawn_ref filled
     * in from the parent session's child_loop_refs, or childSession itself (unchanged) when it has no
     * spawn ref to enrich, is already enriched, or parentSession is not its parent or names no spawn.
     *
     * <p>Preference: a ref of the parent loop named by the spawn ref, then any loop of the parent
     * session; within each, a ref whose child_loop_id is a loop of the child session, then one whose
     * child_session_id is the child's. Like recorder.rs, the ref found also sets parent_loop_id.
     */
    public static JsonNode enrich(JsonNode childSession, JsonNode parentSession) {
        JsonNode ref = childSession.get("parent_spawn_ref");
        if (ref == null || !ref.isObject() || !ref.path("tool_call_id").asText("").isEmpty()) {
            return childSession;
        }
        String parentSessionId = ref.path("parent_session_id").asText();
        if (!parentSessionId.equals(parentSession.path("session_id").asText())) {
            return childSession;
        }
        String parentLoopId = ref.path("parent_loop_id").asText();
        String childSessionId = childSession.path("session_id").asText();
        Set<String> childLoops = new HashSet<>();
        for (JsonNode l : childSession.path("loops")) {
            childLoops.add(l.path("loop_id").asText());
        }

        Match found = null;
        for (JsonNode loop : parentSession.path("loops")) {
            if (parentLoopId.equals(loop.path("loop_id").asText())) {
                found = best(loop, childLoops, childSessionId);
                break;
            }
        }
        if (found == null) {
            for (JsonNode loop : parentSession.path("loops")) {
                Match m = best(loop, childLoops, childSessionId);
                if (m != null && (found == null || m.byLoop && !found.byLoop)) {
                    found = m;
                    if (m.byLoop) {
                        break;
                    }
                }
            }
        }
        if (found == null) {
            return childSession;
        }
        ObjectNode enriched = Json.object();
        enriched.setAll((ObjectNode) childSession);
        enriched.set("parent_spawn_ref", SessionJsonWriter.spawnRef(parentSessionId, found.parentLoopId,
                found.ref.path("tool_call_id").asText(), found.ref.path("tool_name").asText()));
        return enriched;
    }

    private record Match(String parentLoopId, JsonNode ref, boolean byLoop) {
    }

    /** The loop's first ref naming one of the child's loops, else its first naming the child session. */
    private static Match best(JsonNode loop, Set<String> childLoops, String childSessionId) {
        String loopId = loop.path("loop_id").asText();
        Match bySession = null;
        for (JsonNode r : loop.path("child_loop_refs")) {
            if (childLoops.contains(r.path("child_loop_id").asText())) {
                return new Match(loopId, r, true);
            }
            if (bySession == null && childSessionId.equals(r.path("child_session_id").asText())) {
                bySession = new Match(loopId, r, false);
            }
        }
        return bySession;
    }
}
