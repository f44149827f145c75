package dev.sessionlog.client;

/** The answer to an erase: {@code status} is "erasing" while the erasure runs. */
public record EraseResult(String sessionId, String status) {}
