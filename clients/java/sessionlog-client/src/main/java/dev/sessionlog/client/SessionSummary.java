package dev.sessionlog.client;

import java.time.Instant;

/** A session in the tenant's list; {@code headSeq} is the last seq the recorder folded. */
public record SessionSummary(
    String sessionId,
    String agentId,
    Instant createdAt,
    Instant lastActiveAt,
    Instant lastEventAt,
    long headSeq,
    int loopCount,
    String status,
    Usage usage,
    ForkedFrom forkedFrom) {}
