package dev.sessionlog.client;

/** The answer to a fork (the same for a retry of the same fork). */
public record ForkResult(String sessionId, ForkedFrom forkedFrom, long headSeq) {}
