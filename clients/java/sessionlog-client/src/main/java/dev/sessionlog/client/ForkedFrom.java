package dev.sessionlog.client;

/** Where a fork came from: the source session and the seq it was forked at. */
public record ForkedFrom(String sessionId, long seq) {}
