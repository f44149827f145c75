package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fold's full state as JSON and back: the served session plus what only an unfinished fold
 * needs (partial turns, pending rejections, parallel groups awaiting their end). Restoring and
 * folding on gives the same bytes as never having stopped, because every field the writer reads is
 * stored here and timestamps are written in one canonical form.
 */
final class StateCodec {

    static final int VERSION = 1;
    /** A state with frozen parts (FrozenLoops), as the version before turn parts wrote it. */
    static final int VERSION_WITH_PARTS = 2;
    /**
     * A state with parts of loops or of turns; its loops' event seqs are runs [first, last] (a long
     * loop's seqs are mostly consecutive). One without any part is still written as version 1, which
     * every earlier version reads.
     */
    static final int VERSION_WITH_TURN_PARTS = 3;

    private StateCodec() {
    }

    static ObjectNode write(FoldState s) {
        ObjectNode o = Json.object();
        boolean parted = hasParts(s);
        o.put("state_version", parted ? VERSION_WITH_TURN_PARTS : VERSION);
        o.put("session_id", s.sessionId);
        o.set("agent_id", Json.text(s.agentId));
        o.put("created_at", Rfc3339.format(s.createdAt));
        o.put("last_active_at", Rfc3339.format(s.lastActiveAt));
        o.put("last_event_at", Rfc3339.format(s.lastEventAt));
        o.set("parent_spawn_ref", Json.nullable(s.parentSpawnRef));
        o.put("scope", s.scope);
        o.put("recorded_through_seq", s.recordedThroughSeq);
        if (s.forkedFrom != null) {
            ObjectNode fork = o.putObject("fork");
            fork.put("forked_from", s.forkedFrom);
            fork.put("seq", s.forkSeq);
            fork.put("forked_at", Rfc3339.format(s.forkedAt));
            ArrayNode aliases = fork.putArray("aliases");
            s.aliases.forEach(aliases::add);
        }
        o.put("fold_error_count", s.errorCount);
        o.set("fold_errors", SessionJsonWriter.foldErrors(s.errors));
        if (!s.frozen.parts.isEmpty()) {
            o.set("frozen", s.frozen.toJson());
        }
        o.set("loops", loops(s.loops, parted));
        ObjectNode groups = o.putObject("partial_groups");
        for (Map.Entry<String, List<String>> e : s.partialGroups.entrySet()) {
            ArrayNode ids = groups.putArray(e.getKey());
            e.getValue().forEach(ids::add);
        }
        return o;
    }

    static boolean hasParts(FoldState s) {
        if (!s.frozen.parts.isEmpty()) {
            return true;
        }
        for (LoopState l : s.loops) {
            if (!l.turnParts.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Loops as a state of version 3 holds them (a frozen part is such an array too). */
    static ArrayNode loops(List<LoopState> loops) {
        return loops(loops, true);
    }

    /** @param seqRuns event seqs as runs, and turn parts by ref (version 3); else as every earlier version */
    private static ArrayNode loops(List<LoopState> loops, boolean seqRuns) {
        ArrayNode a = Json.F.arrayNode();
        for (LoopState l : loops) {
            ObjectNode lo = SessionJsonWriter.loop(l);
            if (seqRuns) {
                lo.remove("event_seqs");
                lo.set("event_seq_runs", seqRuns(l.eventSeqs));
                if (!l.turnParts.isEmpty()) {
                    ArrayNode parts = lo.putArray("turn_parts");
                    for (LoopState.TurnPart p : l.turnParts) {
                        parts.addObject().put("ref", p.ref()).put("turns", p.turns());
                    }
                }
            }
            if (l.partialTurn != null) {
                lo.set("partial_turn", partialTurn(l.partialTurn));
            }
            if (l.pendingRejection != null) {
                lo.put("pending_rejection", l.pendingRejection);
            }
            lo.put("ordinal", l.ordinal);
            a.add(lo);
        }
        return a;
    }

    /** @throws IllegalArgumentException when state is not a state this codec wrote */
    static FoldState read(JsonNode state) {
        try {
            int version = state == null ? 0 : state.path("state_version").asInt();
            if (state == null || !state.isObject() || version < VERSION || version > VERSION_WITH_TURN_PARTS) {
                throw new IllegalArgumentException("not a fold state of version " + VERSION + " to " + VERSION_WITH_TURN_PARTS);
            }
            FoldState s = new FoldState(text(state, "session_id"));
            s.agentId = optText(state, "agent_id");
            s.createdAt = optTime(state, "created_at");
            s.lastActiveAt = optTime(state, "last_active_at");
            s.lastEventAt = optTime(state, "last_event_at");
            s.parentSpawnRef = (ObjectNode) Json.orNull(state.get("parent_spawn_ref"));
            s.scope = text(state, "scope");
            s.recordedThroughSeq = state.path("recorded_through_seq").asLong();
            JsonNode fork = state.get("fork");
            if (fork != null && fork.isObject()) {
                s.forkedFrom = text(fork, "forked_from");
                s.forkSeq = fork.path("seq").asLong();
                s.forkedAt = optTime(fork, "forked_at");
                s.aliases.addAll(strings(fork.path("aliases")));
            }
            s.errorCount = state.path("fold_error_count").asLong();
            for (JsonNode e : array(state, "fold_errors")) {
                s.errors.add(new FoldError(e.path("seq").asLong(), text(e, "type"), text(e, "message")));
            }
            if (version >= VERSION_WITH_PARTS && state.has("frozen")) {
                s.frozen.read(state.path("frozen"));
            }
            for (JsonNode lo : array(state, "loops")) {
                LoopState l = loop(lo);
                int ordinal = l.ordinal; // stored, or (a state of version 1) its place in the list
                s.addLoop(l);
                if (lo.has("ordinal")) {
                    l.ordinal = ordinal;
                }
            }
            Map<List<String>, List<String>> interned = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : state.path("partial_groups").properties()) {
                List<String> ids = strings(e.getValue());
                s.partialGroups.put(e.getKey(), interned.computeIfAbsent(ids, k -> k));
            }
            return s;
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("malformed fold state: " + e.getMessage(), e);
        }
    }

    static LoopState loop(JsonNode o) {
        String loopId = text(o, "loop_id");
        LoopState l = new LoopState(loopId, text(o, "session_id"), text(o, "agent_id"), optText(o, "parent_loop_id"),
                Json.orNull(o.get("continuation_kind")), time(o, "started_at"), Json.orNull(o.get("metadata")),
                Json.orNull(o.get("config")));
        l.status = LoopStatus.valueOf(text(o, "status"));
        l.endedAt = optTime(o, "ended_at");
        l.rejection = optText(o, "rejection");
        l.messages = l.isRunning() ? null : array(o, "messages");
        for (JsonNode t : array(o, "turns")) {
            l.turns.add((ObjectNode) t);
        }
        l.usage = Usage.parse(o.get("usage"), "usage");
        JsonNode runs = o.get("event_seq_runs");
        if (runs != null) {
            for (JsonNode run : array(o, "event_seq_runs")) {
                if (!run.isArray() || run.size() != 2 || !run.get(0).canConvertToLong() || !run.get(1).canConvertToLong()
                        || run.get(1).asLong() < run.get(0).asLong()) {
                    throw new IllegalArgumentException("malformed fold state: a run of event seqs is [first, last]");
                }
                for (long seq = run.get(0).asLong(); seq <= run.get(1).asLong(); seq++) {
                    l.eventSeqs.add(seq);
                }
            }
        } else {
            for (JsonNode seq : array(o, "event_seqs")) {
                l.eventSeqs.add(seq.asLong());
            }
        }
        for (JsonNode p : o.path("turn_parts")) {
            String ref = p.path("ref").asText(null);
            if (ref == null || !p.path("turns").canConvertToInt()) {
                throw new IllegalArgumentException("malformed fold state: a turn part needs ref and turns");
            }
            l.turnParts.add(new LoopState.TurnPart(ref, p.get("turns").intValue()));
        }
        l.childrenLoopIds.addAll(strings(array(o, "children_loop_ids")));
        for (JsonNode r : array(o, "child_loop_refs")) {
            l.childLoopRefs.add((ObjectNode) r);
        }
        l.parallelGroup = (ObjectNode) Json.orNull(o.get("parallel_group"));
        JsonNode p = Json.orNull(o.get("partial_turn"));
        if (p != null) {
            List<JsonNode> inputs = new ArrayList<>();
            array(p, "input_messages").forEach(inputs::add);
            l.partialTurn = new PartialTurn(p.path("turn_index").asLong(), p.get("triggered_by"),
                    time(p, "started_at"), inputs);
        }
        l.pendingRejection = optText(o, "pending_rejection");
        l.ordinal = o.path("ordinal").asInt(-1);
        return l;
    }

    /** Seqs in order as runs of consecutive ones: [[first, last], ...]. */
    private static ArrayNode seqRuns(LongList seqs) {
        ArrayNode runs = Json.F.arrayNode();
        int i = 0;
        while (i < seqs.size()) {
            long first = seqs.get(i);
            long last = first;
            while (i + 1 < seqs.size() && seqs.get(i + 1) == last + 1) {
                last = seqs.get(++i);
            }
            runs.addArray().add(first).add(last);
            i++;
        }
        return runs;
    }

    private static ObjectNode partialTurn(PartialTurn p) {
        ObjectNode o = Json.object();
        o.put("turn_index", p.turnIndex);
        o.set("triggered_by", p.triggeredBy);
        o.put("started_at", Rfc3339.format(p.startedAt));
        ArrayNode inputs = o.putArray("input_messages");
        p.inputMessages.forEach(inputs::add);
        return o;
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("malformed fold state: missing string '" + field + "'");
        }
        return n.textValue();
    }

    private static String optText(JsonNode o, String field) {
        JsonNode n = Json.orNull(o.get(field));
        return n == null ? null : text(o, field);
    }

    private static Instant time(JsonNode o, String field) {
        return Rfc3339.parse(text(o, field));
    }

    private static Instant optTime(JsonNode o, String field) {
        String s = optText(o, field);
        return s == null ? null : Rfc3339.parse(s);
    }

    private static JsonNode array(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException("malformed fold state: missing array '" + field + "'");
        }
        return n;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>(a.size());
        for (JsonNode n : a) {
            out.add(n.asText());
        }
        return List.copyOf(out);
    }
}
