package dev.sessionlog.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * The session as phi-core's SessionRecorder builds it from the events, plus what sessionlog adds
 * ({@code recordedThroughSeq}, {@code headSeq}, {@code archivedThroughSeq}, {@code lastEventAt},
 * {@code forkedFrom}, the fold errors). The recorder may lag an append by a moment.
 */
public record MaterializedSession(
    String sessionId,
    String agentId,
    Instant createdAt,
    Instant lastActiveAt,
    JsonNode formation,
    JsonNode parentSpawnRef,
    String scope,
    List<Loop> loops,
    Usage usage,
    String status,
    long recordedThroughSeq,
    Instant lastEventAt,
    ForkedFrom forkedFrom,
    List<FoldError> foldErrors,
    int foldErrorCount,
    long headSeq,
    long archivedThroughSeq) {

  /** An event the fold could not apply. */
  public record FoldError(long seq, String type, String message) {}
}
