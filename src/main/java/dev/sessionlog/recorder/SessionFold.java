package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The materialized session of one sessionlog session: phi-core's SessionRecorder semantics as a pure,
 * resumable fold over the session's events in seq order.
 *
 * <p>Fold events with {@link #apply}, serve {@link #toSessionJson()}, store {@link #toStateJson()} and
 * resume later with {@link #fromStateJson}: folding 1..k, storing, restoring and folding k+1..n gives
 * the same JSON as folding 1..n at once. Not thread-safe. The fold keeps references to parts of the
 * events it is given (messages, config, metadata): do not change an event after applying it, and treat
 * everything below the loop objects of {@link #toSessionJson()} as read-only.
 */
public final class SessionFold {

    /** The event type that sessionlog appends when it closes an idle session's open loops. */
    public static final String IDLE_TIMEOUT = "sessionlog.IdleTimeout";

    private final FoldState state;
    private final RecorderOptions options;
    private final PhiEventFolder folder;

    private SessionFold(FoldState state, RecorderOptions options) {
        this.state = state;
        this.options = options;
        this.folder = new PhiEventFolder(state, options);
    }

    /** An empty fold of the session named sessionId (nothing folded, recordedThroughSeq 0). */
    public static SessionFold start(String sessionId, RecorderOptions options) {
        Objects.requireNonNull(sessionId, "sessionId");
        return new SessionFold(new FoldState(sessionId), Objects.requireNonNull(options, "options"));
    }

    /**
     * An empty fold of a fork: its events up to {@code forkSeq} are its source's, and the ids of its
     * source and their ancestors ({@code aliases}) count as its own in them. Its activity starts at
     * {@code forkedAt}.
     */
    public static SessionFold startFork(String sessionId, RecorderOptions options, String forkedFrom, long forkSeq,
                                        Instant forkedAt, java.util.Collection<String> aliases) {
        SessionFold fold = start(sessionId, options);
        fold.state.forkedFrom = forkedFrom;
        fold.state.forkSeq = forkSeq;
        fold.state.forkedAt = forkedAt;
        fold.state.lastEventAt = forkedAt;
        fold.state.aliases.addAll(aliases);
        return fold;
    }

    /** A fold restored from {@link #toStateJson()}; options should be those it was folded with. */
    public static SessionFold fromStateJson(JsonNode state, RecorderOptions options) {
        return fromStateJson(state, options, FrozenPartReader.NONE);
    }

    /** A fold restored from {@link #toStateJson()}, reading its frozen parts (if it has any) with {@code parts}. */
    public static SessionFold fromStateJson(JsonNode state, RecorderOptions options, FrozenPartReader parts) {
        FoldState s = StateCodec.read(state);
        s.partReader = Objects.requireNonNull(parts, "parts");
        return new SessionFold(s, Objects.requireNonNull(options, "options"));
    }

    /**
     * What is ready to leave the working state: the JSON to store once, as a part, before
     * {@link #frozen} takes it out. Either closed loops ({@code loopIds}), or the first finished turns
     * of a running loop ({@code turnsOf}, {@code turns} of them).
     */
    public record Freezable(byte[] json, List<String> loopIds, String turnsOf, int turns) {
        Freezable(byte[] json, List<String> loopIds) {
            this(json, loopIds, null, 0);
        }
    }

    /**
     * The live loops that are closed (and that no parallel group still waits for), when their JSON
     * reaches {@code minBytes}; else the finished turns of a running loop, when theirs does: what a
     * save can store apart so that later saves write only the rest. Empty when there are fewer.
     */
    public Optional<Freezable> freezable(int minBytes) {
        List<LoopState> closed = new ArrayList<>();
        for (LoopState l : state.loops) {
            if (!l.isRunning() && l.partialTurn == null && l.pendingRejection == null && !state.partialGroups.containsKey(l.loopId)) {
                closed.add(l);
            }
        }
        if (!closed.isEmpty()) {
            // a part of loops holds them whole: turns a loop stored apart while it ran come back into it
            // (and their parts go with the next save)
            state.thawTurns(closed);
            com.fasterxml.jackson.databind.node.ObjectNode part = Json.object();
            part.set("loops", StateCodec.loops(closed));
            // the links to earlier parts' loops kept so far go with it (see FrozenLoops#childrenEnded)
            part.set("children_ended", FrozenLoops.links(state.frozen.childrenEnded));
            byte[] json = bytes(part);
            if (json.length >= minBytes) {
                return Optional.of(new Freezable(json, closed.stream().map(l -> l.loopId).toList()));
            }
        }
        for (LoopState l : state.loops) {
            if (l.isRunning() && !l.turns.isEmpty()) {
                com.fasterxml.jackson.databind.node.ArrayNode turns = Json.F.arrayNode();
                l.turns.forEach(turns::add);
                byte[] json = bytes(turns);
                if (json.length >= minBytes) {
                    return Optional.of(new Freezable(json, List.of(), l.loopId, l.turns.size()));
                }
            }
        }
        return Optional.empty();
    }

    private static byte[] bytes(JsonNode json) {
        try {
            // the state's own mapper, so that numbers in messages keep their exact form
            return dev.sessionlog.event.Json.MAPPER.writeValueAsBytes(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What {@code part} holds is stored under {@code ref}: it leaves the working state, to be read back
     * with {@code parts} when needed.
     */
    public void frozen(Freezable part, String ref, FrozenPartReader parts) {
        state.partReader = Objects.requireNonNull(parts, "parts");
        if (part.turnsOf() != null) {
            LoopState loop = state.loopsById.get(part.turnsOf());
            loop.turns.subList(0, part.turns()).clear();
            loop.turnParts.add(new LoopState.TurnPart(ref, part.turns()));
            return;
        }
        List<LoopState> leaving = part.loopIds().stream().map(state.loopsById::get).toList();
        state.frozen.add(ref, leaving);
        state.frozen.childrenEnded.clear(); // in the part now
        state.loops.removeAll(leaving);
        leaving.forEach(l -> state.loopsById.remove(l.loopId));
    }

    /** The refs of the stored parts this state needs: of loops, and of turns of the live loops. */
    public List<String> frozenRefs() {
        List<String> refs = new ArrayList<>(state.frozen.parts.stream().map(FrozenLoops.Part::ref).toList());
        for (LoopState l : state.loops) {
            l.turnParts.forEach(p -> refs.add(p.ref()));
        }
        return refs;
    }

    /** Brings every frozen part back (what serving the whole session does anyway). */
    public void thaw() {
        state.thaw();
    }

    /**
     * Folds the next event. An event the fold cannot apply (malformed, or for a loop that never started
     * or already ended) becomes an entry of {@code fold_errors}; it never stops the fold.
     *
     * @throws IllegalStateException when e is not the event right after {@link #recordedThroughSeq()}
     */
    public void apply(EventRecord e) {
        if (e.seq() != state.recordedThroughSeq + 1) {
            throw new IllegalStateException("session " + state.sessionId + ": expected seq "
                    + (state.recordedThroughSeq + 1) + " but got " + e.seq());
        }
        if (IDLE_TIMEOUT.equals(e.type())) {
            // sessionlog's own record of the idle flush: in the log, so that a rebuild repeats it.
            // It is not the agent's activity, so last_active_at stays.
            abortOpenLoops(Rfc3339.parseOr(e.event().path("at").asText(null), e.recordedAt()));
            if (e.seq() > state.forkSeq) {
                state.lastEventAt = e.recordedAt();
            }
            state.recordedThroughSeq = e.seq();
            return;
        }
        folder.apply(e);
    }

    /** {@link #apply} for each event, in order. */
    public void applyAll(Iterable<EventRecord> events) {
        for (EventRecord e : events) {
            apply(e);
        }
    }

    /**
     * The idle flush (phi-core's flush): every Running loop becomes Aborted with ended_at = now, and
     * its partial turn (TurnStart without TurnEnd) is discarded.
     */
    public void abortOpenLoops(Instant now) {
        Objects.requireNonNull(now, "now");
        for (LoopState l : state.loops) {
            if (l.isRunning()) {
                l.status = LoopStatus.Aborted;
                l.endedAt = now;
                l.partialTurn = null;
                l.pendingRejection = null;
            }
        }
        state.runningLoops = 0;
    }

    public long recordedThroughSeq() {
        return state.recordedThroughSeq;
    }

    public String sessionId() {
        return state.sessionId;
    }

    /** The seq a fork was made at (its events up to there are its source's); 0 for a session that is no fork. */
    public long forkSeq() {
        return state.forkSeq;
    }

    public boolean hasOpenLoops() {
        return state.runningLoops > 0;
    }

    /** phi-core's last_active_at: the timestamp of the latest AgentStart; null before one. */
    public Instant lastActiveAt() {
        return state.lastActiveAt;
    }

    /** The server's clock of the session's activity: recorded_at of the last event folded; null if none. */
    public Instant lastEventAt() {
        return state.lastEventAt;
    }

    /** "active" while any loop is Running, else "completed". */
    public String status() {
        return state.status();
    }

    /** How many events the fold could not apply, ever (fold_errors keeps the first of them). */
    public long foldErrorCount() {
        return state.errorCount;
    }

    public int loopCount() {
        return state.loopCount();
    }

    public RecorderOptions options() {
        return options;
    }

    /** The served materialized session. */
    public ObjectNode toSessionJson() {
        return SessionJsonWriter.session(state);
    }

    /** One loop as it appears in {@link #toSessionJson()}, or null when the session has no such loop. */
    public ObjectNode toLoopJson(String loopId) {
        LoopState l = state.loop(loopId);
        if (l == null) {
            return null;
        }
        state.thawTurns(List.of(l));
        return SessionJsonWriter.loop(l);
    }

    /** session_id, agent_id, created_at, last_active_at, loop_count, status, usage, recorded_through_seq. */
    public ObjectNode toSummaryJson() {
        return SessionJsonWriter.summary(state);
    }

    /** The full restorable state, for {@link #fromStateJson}. */
    public ObjectNode toStateJson() {
        return StateCodec.write(state);
    }
}
