package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the fold knows about one session: the Session header, its loops in start order (with a
 * map for lookup by id), the parallel groups awaiting their ParallelLoopEnd and the fold errors.
 */
final class FoldState {

    static final String SCOPE = "ephemeral";

    final String sessionId;
    /** Set by the first AgentStart, which opens the session; null before it. */
    String agentId;
    Instant createdAt;
    /** phi-core's: the timestamp of the latest AgentStart. */
    Instant lastActiveAt;
    /** The server's clock: recorded_at of the last event folded. */
    Instant lastEventAt;
    ObjectNode parentSpawnRef;
    String scope = SCOPE;

    final List<LoopState> loops = new ArrayList<>();
    final Map<String, LoopState> loopsById = new HashMap<>();
    int runningLoops;

    /** recorder.rs's partial_groups: each announced branch loop id to all loop ids of its group. */
    final Map<String, List<String>> partialGroups = new LinkedHashMap<>();

    /** For a fork: the session it was forked from, the seq, when; its ancestors' ids count as its own up to there. */
    String forkedFrom;
    long forkSeq;
    Instant forkedAt;
    final java.util.Set<String> aliases = new java.util.LinkedHashSet<>();

    /** The first loops, closed and stored apart (see FrozenLoops); they come back when an event may name one. */
    final FrozenLoops frozen = new FrozenLoops();
    FrozenPartReader partReader = FrozenPartReader.NONE;

    long recordedThroughSeq;
    final List<FoldError> errors = new ArrayList<>();
    long errorCount;

    FoldState(String sessionId) {
        this.sessionId = sessionId;
    }

    /** The session an id names, for events up to the fork seq: an ancestor's id is this session's. */
    boolean isThisSession(String sessionId, long seq) {
        return this.sessionId.equals(sessionId) || seq <= forkSeq && aliases.contains(sessionId);
    }

    /** An id as this session knows it: an ancestor's becomes its own. */
    String own(String sessionId) {
        return aliases.contains(sessionId) ? this.sessionId : sessionId;
    }

    boolean isOpened() {
        return createdAt != null;
    }

    void addLoop(LoopState loop) {
        loop.ordinal = loopCount();
        loops.add(loop);
        loopsById.put(loop.loopId, loop);
        if (loop.isRunning()) {
            runningLoops++;
        }
    }

    void addError(FoldError e, int max) {
        errorCount++;
        if (errors.size() < max) {
            errors.add(e);
        }
    }

    /**
     * The loop of this id, or null. A loop that may be frozen brings every frozen part back first, so
     * that whatever the event does to it (or learns from it) is done as if it had never left.
     */
    LoopState loop(String loopId) {
        LoopState l = loopsById.get(loopId);
        if (l == null && frozen.mayHold(loopId)) {
            try {
                Map<String, com.fasterxml.jackson.databind.JsonNode> claiming = claimingParts(loopId);
                if (holds(claiming, loopId)) {
                    thawLoops(claiming); // (a running loop's turn parts stay where they are: nothing changes them)
                }
            } catch (RuntimeException e) {
                throw new FrozenPartsUnreadable(e);
            }
            l = loopsById.get(loopId);
        }
        return l;
    }

    /**
     * The parts whose filters claim this loop id (usually one), read: a filter's false "maybe" (a new
     * loop's id) then costs a read of that part, not a thaw of every part and their merge into one at
     * the next save.
     */
    private Map<String, com.fasterxml.jackson.databind.JsonNode> claimingParts(String loopId) {
        List<String> refs = frozen.parts.stream().filter(p -> p.mayHold(loopId)).map(FrozenLoops.Part::ref).toList();
        List<com.fasterxml.jackson.databind.JsonNode> read = partReader.readAll(refs);
        Map<String, com.fasterxml.jackson.databind.JsonNode> parts = new HashMap<>();
        for (int i = 0; i < refs.size(); i++) {
            parts.put(refs.get(i), read.get(i));
        }
        return parts;
    }

    private static boolean holds(Map<String, com.fasterxml.jackson.databind.JsonNode> parts, String loopId) {
        for (com.fasterxml.jackson.databind.JsonNode part : parts.values()) {
            for (com.fasterxml.jackson.databind.JsonNode lo : part == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                    : part.path("loops")) {
                if (loopId.equals(lo.path("loop_id").asText(null))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Brings every frozen part back into the working state: loops in front of the live ones, turns in front of theirs. */
    void thaw() {
        thawLoops(Map.of());
        thawTurns(loops);
    }

    /** The turns these loops stored apart, back in front of their others (a GET each part, all at once). */
    void thawTurns(List<LoopState> these) {
        List<LoopState> parted = these.stream().filter(l -> !l.turnParts.isEmpty()).toList();
        if (parted.isEmpty()) {
            return;
        }
        List<String> refs = new ArrayList<>();
        parted.forEach(l -> l.turnParts.forEach(p -> refs.add(p.ref())));
        List<com.fasterxml.jackson.databind.JsonNode> read = partReader.readAll(refs);
        int next = 0;
        for (LoopState l : parted) {
            List<com.fasterxml.jackson.databind.node.ObjectNode> stored = new ArrayList<>();
            for (LoopState.TurnPart p : l.turnParts) {
                com.fasterxml.jackson.databind.JsonNode part = read.get(next++);
                if (part == null || !part.isArray() || part.size() != p.turns()) {
                    throw new IllegalStateException("turn part " + p.ref() + " does not hold its " + p.turns() + " turns");
                }
                part.forEach(t -> stored.add((com.fasterxml.jackson.databind.node.ObjectNode) t));
            }
            l.turns.addAll(0, stored);
            l.turnParts.clear();
        }
    }

    /** Brings the loop parts back; {@code known}: parts read already, by ref (not read again). */
    private void thawLoops(Map<String, com.fasterxml.jackson.databind.JsonNode> known) {
        if (frozen.parts.isEmpty()) {
            return;
        }
        List<LoopState> thawed = new ArrayList<>();
        List<List<String>> links = new ArrayList<>();
        List<String> toRead = frozen.parts.stream().map(FrozenLoops.Part::ref).filter(ref -> !known.containsKey(ref)).toList();
        Map<String, com.fasterxml.jackson.databind.JsonNode> read = new HashMap<>(known);
        List<com.fasterxml.jackson.databind.JsonNode> fetched = partReader.readAll(toRead);
        for (int i = 0; i < toRead.size(); i++) {
            read.put(toRead.get(i), fetched.get(i));
        }
        for (int i = 0; i < frozen.parts.size(); i++) {
            FrozenLoops.Part p = frozen.parts.get(i);
            com.fasterxml.jackson.databind.JsonNode part = read.get(p.ref());
            com.fasterxml.jackson.databind.JsonNode partLoops = part == null ? null : part.get("loops");
            if (partLoops == null || !partLoops.isArray() || partLoops.size() != p.loops()) {
                throw new IllegalStateException("frozen part " + p.ref() + " does not hold its " + p.loops() + " loops");
            }
            for (com.fasterxml.jackson.databind.JsonNode lo : partLoops) {
                thawed.add(StateCodec.loop(lo));
            }
            links.addAll(FrozenLoops.links(part.path("children_ended")));
        }
        links.addAll(frozen.childrenEnded);
        frozen.clear();
        loops.addAll(thawed);
        loops.sort(java.util.Comparator.comparingInt(l -> l.ordinal)); // back in start order
        for (LoopState l : thawed) {
            loopsById.put(l.loopId, l);
            if (l.isRunning()) {
                runningLoops++;
            }
        }
        for (List<String> link : links) {
            LoopState child = loopsById.get(link.get(1));
            linkChild(loopsById.get(link.get(0)), child == null ? link.get(1) : child.loopId, child);
        }
    }

    /**
     * A loop of this session ended: its parent here (if any) lists it among its children (recorder.rs
     * makes the same-session link when the child ends). A parent that may be frozen gets the link when
     * it comes back, in the same order.
     */
    void childEnded(String parentLoopId, LoopState child) {
        LoopState parent = loopsById.get(parentLoopId);
        if (parent == null && frozen.mayHold(parentLoopId)) {
            frozen.childrenEnded.add(List.of(parentLoopId, child.loopId));
            return;
        }
        linkChild(parent, child.loopId, child);
    }

    private static void linkChild(LoopState parent, String childId, LoopState child) {
        if (parent != null && parent != child) {
            parent.childrenLoopIds.add(childId);
        }
    }

    int loopCount() {
        return frozen.loopCount() + loops.size();
    }

    Usage totalUsage() {
        Usage u = Usage.zero();
        u.add(frozen.usage);
        for (LoopState l : loops) {
            u.add(l.usage);
        }
        return u;
    }

    String status() {
        return runningLoops > 0 ? "active" : "completed";
    }
}
