package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One loop of the session, open or closed: phi-core's LoopRecord plus what the fold still needs while
 * the loop runs (its partial turn, a rejection reason seen before AgentEnd). Finished turns are kept
 * as the JSON they are served as, because they never change again.
 */
final class LoopState {

    final String loopId;
    final String sessionId;
    final String agentId;
    final String parentLoopId;
    final JsonNode continuationKind;
    final Instant startedAt;
    final JsonNode metadata;

    LoopStatus status = LoopStatus.Running;
    Instant endedAt;
    String rejection;
    JsonNode config;
    /** AgentEnd's messages; null while the loop runs (served as []). */
    JsonNode messages;
    /** Its finished turns, but for the first ones while they are stored apart (see {@link #turnParts}). */
    final List<ObjectNode> turns = new ArrayList<>(4);
    /**
     * A running loop's first finished turns, stored apart in parts (each a JSON array of turns, in
     * order, written once): a loop that runs for thousands of turns saves only what it added. They
     * come back in front of {@link #turns} when the session is served or the loop is frozen whole.
     */
    final List<TurnPart> turnParts = new ArrayList<>(0);
    /** The sum of TurnEnd usages while running; AgentEnd's usage once ended, as recorder.rs. */
    Usage usage = Usage.zero();
    final LongList eventSeqs = new LongList();
    final LinkedHashSet<String> childrenLoopIds = new LinkedHashSet<>(2);
    final List<ObjectNode> childLoopRefs = new ArrayList<>(0);
    ObjectNode parallelGroup;

    PartialTurn partialTurn;
    /** InputRejected's reason, used when AgentEnd itself names none. */
    String pendingRejection;

    /** Its place among the session's loops in start order (frozen ones included): where it goes back on a thaw. */
    int ordinal;

    LoopState(String loopId, String sessionId, String agentId, String parentLoopId, JsonNode continuationKind,
            Instant startedAt, JsonNode metadata, JsonNode config) {
        this.loopId = loopId;
        this.sessionId = sessionId;
        this.agentId = agentId;
        this.parentLoopId = parentLoopId;
        this.continuationKind = continuationKind;
        this.startedAt = startedAt;
        this.metadata = metadata;
        this.config = config;
    }

    /** Turns stored under a ref. */
    record TurnPart(String ref, int turns) {
    }

    boolean isRunning() {
        return status == LoopStatus.Running;
    }
}
