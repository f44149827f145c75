package dev.sessionlog.client;

/** The session's head: its last seq and last event. */
public record Head(String sessionId, long headSeq, EventRecord event) {}
