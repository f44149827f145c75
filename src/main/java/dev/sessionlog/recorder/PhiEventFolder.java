package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies one event to a {@link FoldState} the way phi-core's SessionRecorder.on_event does, for the
 * one session this fold materializes. Each handler reads and checks all the fields it needs before
 * it changes anything, so that a rejected event (a {@link RejectedEvent}) leaves no trace but its
 * fold error and last_active_at.
 */
final class PhiEventFolder {

    private final FoldState s;
    private final RecorderOptions options;

    PhiEventFolder(FoldState state, RecorderOptions options) {
        this.s = state;
        this.options = options;
    }

    void apply(EventRecord r) {
        JsonNode ev = r.event();
        JsonNode typeNode = ev.isObject() ? ev.get("type") : null;
        String type = typeNode != null && typeNode.isTextual() ? typeNode.textValue() : "";
        long seq = r.seq();
        try {
            Instant t;
            boolean known = isPhiCore(type);
            t = EventFields.time(ev, r.recordedAt(), known);
            if (known) {
                dispatch(type, ev, seq, t);
            }
        } catch (RejectedEvent e) {
            s.addError(new FoldError(seq, type, e.getMessage()), options.maxFoldErrors());
        } catch (FrozenPartsUnreadable storeFailed) {
            throw storeFailed; // the store's failure, not the event's: the batch is retried, nothing is recorded
        } catch (RuntimeException e) {
            // Whatever an accepted event holds, it must not stop the session's recording: it is recorded as
            // what it is, an event the fold could not apply, and the fold goes on after it.
            s.addError(new FoldError(seq, type, "not foldable: " + e.getClass().getSimpleName()), options.maxFoldErrors());
        }
        if (seq > s.forkSeq) {
            s.lastEventAt = r.recordedAt(); // a fork's activity starts at its creation, not at its source's events
        }
        s.recordedThroughSeq = seq;
    }

    private static boolean isPhiCore(String type) {
        switch (type) {
            case "AgentStart", "AgentEnd", "TurnStart", "TurnRequest", "TurnEnd", "MessageStart", "MessageUpdate",
                    "MessageEnd", "ToolExecutionStart", "ToolExecutionUpdate", "ToolExecutionEnd", "ProgressMessage",
                    "InputRejected", "ParallelLoopStart", "ParallelLoopEnd", "CompactionStarted", "CompactionEnded",
                    "PrunApplied", "RevertApplied":
                return true;
            default:
                return false;
        }
    }

    private void dispatch(String type, JsonNode ev, long seq, Instant t) {
        switch (type) {
            case "AgentStart" -> agentStart(ev, seq, t);
            case "AgentEnd" -> agentEnd(ev, seq, t);
            case "TurnStart" -> turnStart(ev, seq, t);
            case "TurnEnd" -> turnEnd(ev, seq, t);
            case "MessageEnd" -> messageEnd(ev, seq);
            case "MessageUpdate" -> messageUpdate(ev, seq);
            case "ToolExecutionEnd" -> toolExecutionEnd(ev, seq);
            case "InputRejected" -> inputRejected(ev, seq);
            case "ParallelLoopStart" -> parallelLoopStart(ev, seq);
            case "ParallelLoopEnd" -> parallelLoopEnd(ev, seq);
            // ProgressMessage carries an empty loop_id when a tool reports outside a loop (helpers.rs).
            case "ProgressMessage" -> loopEvent(ev, seq, true);
            // MessageStart, TurnRequest, ToolExecutionStart/Update, Compaction*, PrunApplied, RevertApplied:
            // recorder.rs only appends them to their loop's event stream.
            default -> loopEvent(ev, seq, false);
        }
    }

    // ── loops ────────────────────────────────────────────────────────────────────────────────

    private void agentStart(JsonNode ev, long seq, Instant t) {
        String sessionId = EventFields.text(ev, "session_id");
        String agentId = EventFields.text(ev, "agent_id");
        String loopId = EventFields.nonEmptyText(ev, "loop_id");
        String parentLoopId = EventFields.optText(ev, "parent_loop_id");
        JsonNode config = EventFields.optObject(ev, "config_snapshot");
        JsonNode continuation = Json.orNull(ev.get("continuation_kind"));
        JsonNode metadata = Json.orNull(ev.get("metadata"));
        if (!s.isThisSession(sessionId, seq)) {
            throw new RejectedEvent("session_id '" + sessionId + "' is not this session '" + s.sessionId + "'");
        }
        // recorder.rs moves last_active_at to every AgentStart's timestamp of the session, and nothing else does.
        s.lastActiveAt = t;
        LoopState existing = s.loop(loopId);
        if (existing != null) {
            throw new RejectedEvent("loop '" + loopId + "' already started at seq " + existing.eventSeqs.get(0));
        }

        // The first AgentStart opens the session (SessionFormation::FirstLoop).
        if (!s.isOpened()) {
            s.agentId = agentId;
            s.createdAt = t;
        }
        // A parent loop in another session makes this session a sub-agent's: record the inbound SpawnRef.
        // tool_call_id/tool_name are only known to the parent session (see SpawnLinks).
        if (parentLoopId != null && s.parentSpawnRef == null) {
            String parentSessionId = s.own(LoopIds.sessionOf(parentLoopId));
            if (!parentSessionId.equals(s.own(sessionId))) {
                s.parentSpawnRef = SessionJsonWriter.spawnRef(parentSessionId, parentLoopId, "", "");
            }
        }
        LoopState loop = new LoopState(loopId, sessionId, agentId, parentLoopId, continuation, t, metadata, config);
        loop.eventSeqs.add(seq);
        s.addLoop(loop);
    }

    private void agentEnd(JsonNode ev, long seq, Instant t) {
        String loopId = EventFields.nonEmptyText(ev, "loop_id");
        JsonNode messages = EventFields.optObjectArray(ev, "messages");
        JsonNode usageNode = ev.get("usage");
        Usage usage = Usage.parse(usageNode, "usage");
        String rejection = EventFields.optText(ev, "rejection");
        LoopState loop = runningLoop(loopId);

        loop.eventSeqs.add(seq);
        loop.partialTurn = null; // an orphaned partial turn is discarded, as recorder.rs does
        loop.endedAt = t;
        String reason = rejection != null ? rejection : loop.pendingRejection;
        loop.status = reason != null ? LoopStatus.Rejected : LoopStatus.Completed;
        loop.rejection = reason;
        loop.pendingRejection = null;
        loop.messages = messages != null ? messages : Json.array();
        if (usageNode != null && !usageNode.isNull()) {
            loop.usage = usage;
        }
        if (loop.config == null) {
            loop.config = ConfigSnapshots.fromMessages(messages, loopId);
        }
        s.runningLoops--;

        // Same-session parent -> child link, made when the child ends (recorder.rs). Every loop of this
        // fold is of this session, so a parent found here is a same-session parent.
        if (loop.parentLoopId != null) {
            s.childEnded(loop.parentLoopId, loop);
        }
    }

    // ── turns ────────────────────────────────────────────────────────────────────────────────

    private void turnStart(JsonNode ev, long seq, Instant t) {
        String loopId = EventFields.nonEmptyText(ev, "loop_id");
        long turnIndex = EventFields.index(ev, "turn_index");
        JsonNode trigger = ev.get("triggered_by");
        if (trigger == null || trigger.isNull()) {
            throw new RejectedEvent("missing field 'triggered_by'");
        }
        if (trigger.isTextual() && "FollowUp".equals(trigger.textValue())) {
            trigger = Json.F.textNode("Continuation"); // TurnTrigger's legacy name
        }
        LoopState loop = runningLoop(loopId);
        loop.eventSeqs.add(seq);
        loop.partialTurn = PartialTurn.start(turnIndex, trigger, t); // replaces an orphan, as recorder.rs
    }

    private void messageEnd(JsonNode ev, long seq) {
        String loopId = EventFields.nonEmptyText(ev, "loop_id");
        JsonNode message = EventFields.object(ev, "message");
        LoopState loop = runningLoop(loopId);
        loop.eventSeqs.add(seq);
        if (loop.partialTurn != null && !ConfigSnapshots.isAssistant(message)) {
            loop.partialTurn.inputMessages.add(message);
        }
    }

    private void messageUpdate(JsonNode ev, long seq) {
        String loopId = EventFields.nonEmptyText(ev, "loop_id");
        LoopState loop = runningLoop(loopId);
        if (options.keepStreamingUpdates()) {
            loop.eventSeqs.add(seq);
        }
    }

    private void turnEnd(JsonNode ev, long seq, Instant t) {
        String loopId = EventFields.nonEmptyText(ev, "loop_id");
        JsonNode message = EventFields.object(ev, "message");
        Usage usage = Usage.parse(ev.get("usage"), "usage");
        JsonNode toolResults = EventFields.optObjectArray(ev, "tool_results");
        LoopState loop = runningLoop(loopId);

        loop.eventSeqs.add(seq);
        loop.usage.add(usage);
        PartialTurn partial = loop.partialTurn;
        if (partial != null) {
            loop.partialTurn = null;
            loop.turns.add(buildTurn(loopId, partial, message, usage, toolResults, t));
        }
        if (loop.config == null) {
            loop.config = ConfigSnapshots.fromMessage(message, loopId);
        }
    }

    private static ObjectNode buildTurn(String loopId, PartialTurn p, JsonNode output, Usage usage,
            JsonNode toolResults, Instant endedAt) {
        ObjectNode turnId = SessionJsonWriter.turnId(loopId, p.turnIndex);
        ArrayNode inputs = Json.array();
        for (JsonNode m : p.inputMessages) {
            inputs.add(m);
        }
        // Each tool result is stamped with its turn id (recorder.rs: with_turn_id). A shallow copy,
        // so that the event the caller gave us is not changed.
        ArrayNode results = Json.array();
        if (toolResults != null) {
            for (JsonNode m : toolResults) {
                ObjectNode stamped = Json.object();
                stamped.setAll((ObjectNode) m);
                stamped.set("turnId", turnId);
                results.add(stamped);
            }
        }
        ObjectNode turn = Json.object();
        turn.set("turn_id", turnId);
        turn.set("triggered_by", p.triggeredBy);
        turn.set("usage", usage.toJson());
        turn.set("input_messages", inputs);
        turn.set("output_message", output);
        turn.set("tool_results", results);
        turn.put("started_at", Rfc3339.format(p.startedAt));
        turn.put("ended_at", Rfc3339.format(endedAt));
        return turn;
    }

    // ── tools and rejections ─────────────────────────────────────────────────────────────────

    private void toolExecutionEnd(JsonNode ev, long seq) {
        String loopId = EventFields.nonEmptyText(ev, "loop_id");
        String toolCallId = EventFields.text(ev, "tool_call_id");
        String toolName = EventFields.text(ev, "tool_name");
        JsonNode result = EventFields.optObject(ev, "result");
        // recorder.rs reads the child from result.child_loop_id, the same source as the ToolResult.
        String childLoopId = result == null ? null : EventFields.optText(result, "child_loop_id");
        LoopState loop = runningLoop(loopId);
        loop.eventSeqs.add(seq);
        if (childLoopId != null && !childLoopId.isEmpty()) {
            loop.childLoopRefs.add(SessionJsonWriter.childLoopRef(toolCallId, toolName, childLoopId,
                    s.own(LoopIds.sessionOf(childLoopId))));
        }
    }

    private void inputRejected(JsonNode ev, long seq) {
        String loopId = EventFields.text(ev, "loop_id");
        String reason = EventFields.text(ev, "reason");
        if (loopId.isEmpty()) {
            return; // no loop to attach it to (helpers.rs: loop_id_of skips an empty id)
        }
        LoopState loop = runningLoop(loopId);
        loop.eventSeqs.add(seq);
        loop.pendingRejection = reason;
    }

    private void loopEvent(JsonNode ev, long seq, boolean emptyIdAllowed) {
        String loopId = EventFields.text(ev, "loop_id");
        if (loopId.isEmpty()) {
            if (emptyIdAllowed) {
                return;
            }
            throw new RejectedEvent("field 'loop_id' is empty");
        }
        runningLoop(loopId).eventSeqs.add(seq);
    }

    // ── parallel groups ──────────────────────────────────────────────────────────────────────

    private void parallelLoopStart(JsonNode ev, long seq) {
        checkSession(ev, seq);
        JsonNode ids = ev.get("loop_ids");
        if (ids == null || !ids.isArray()) {
            throw new RejectedEvent("missing array field 'loop_ids'");
        }
        List<String> all = new ArrayList<>(ids.size());
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw new RejectedEvent("field 'loop_ids' must hold strings");
            }
            all.add(id.textValue());
        }
        List<String> group = List.copyOf(all);
        for (String lid : group) {
            s.partialGroups.putIfAbsent(lid, group);
        }
    }

    private void parallelLoopEnd(JsonNode ev, long seq) {
        checkSession(ev, seq);
        String selected = EventFields.nonEmptyText(ev, "selected_loop_id");
        long index = EventFields.index(ev, "selected_config_index");
        Usage evaluation = Usage.parse(ev.get("evaluation_usage"), "evaluation_usage");

        List<String> all = s.partialGroups.getOrDefault(selected, List.of(selected));
        // Set on every branch, whether it is still running or already closed.
        for (String lid : all) {
            LoopState branch = s.loop(lid);
            if (branch != null) {
                branch.parallelGroup = SessionJsonWriter.parallelGroup(all, selected, index, evaluation,
                        lid.equals(selected));
            }
        }
        for (String lid : all) {
            s.partialGroups.remove(lid);
        }
    }

    private void checkSession(JsonNode ev, long seq) {
        String sessionId = EventFields.optText(ev, "session_id");
        if (sessionId != null && !s.isThisSession(sessionId, seq)) {
            throw new RejectedEvent("session_id '" + sessionId + "' is not this session '" + s.sessionId + "'");
        }
    }

    /** The loop an event belongs to; it must have started in this session and not have ended. */
    private LoopState runningLoop(String loopId) {
        LoopState loop = s.loop(loopId);
        if (loop == null) {
            throw new RejectedEvent("no AgentStart seen for loop_id '" + loopId + "'");
        }
        if (!loop.isRunning()) {
            throw new RejectedEvent("loop '" + loopId + "' already ended (" + loop.status + ")");
        }
        return loop;
    }
}
