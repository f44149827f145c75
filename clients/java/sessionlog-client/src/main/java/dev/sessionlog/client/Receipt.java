package dev.sessionlog.client;

/**
 * A receipt: the chain value an append answered for {@code seq} of {@code sessionId}. Whoever keeps
 * it can later prove with {@link SessionlogClient#verify(String, Receipt)} that nothing up to that
 * seq has changed.
 */
public record Receipt(String sessionId, long seq, String chain) {}
