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

    Usage totalUsage() {
        Usage u = Usage.zero();
        for (LoopState l : loops) {
            u.add(l.usage);
        }
        return u;
    }

    String status() {
        return runningLoops > 0 ? "active" : "completed";
    }
}
