package dev.sessionlog.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * A loop of a materialized session, in phi-core's LoopRecord field names. {@code messages} and
 * {@code turns} are phi-core's JSON; when {@code truncated} they are empty and
 * {@link SessionlogClient#loopPart} pages them.
 */
public record Loop(
    String loopId,
    String sessionId,
    String agentId,
    String parentLoopId,
    JsonNode continuationKind,
    String status,
    Instant startedAt,
    Instant endedAt,
    String rejection,
    JsonNode config,
    List<ObjectNode> messages,
    List<ObjectNode> turns,
    boolean truncated,
    Usage usage,
    JsonNode metadata,
    List<Long> eventSeqs,
    List<String> childrenLoopIds,
    List<ChildLoopRef> childLoopRefs,
    ParallelGroup parallelGroup) {

  /** A sub-agent loop this loop spawned through a tool call. */
  public record ChildLoopRef(String toolCallId, String toolName, String childLoopId, String childSessionId) {}

  /** The parallel group a loop belongs to. */
  public record ParallelGroup(
      List<String> allLoopIds,
      String selectedLoopId,
      long selectedConfigIndex,
      Usage evaluationUsage,
      boolean isSelected) {}
}
