package dev.sessionlog.client;

/** Token usage, as phi-core counts it. */
public record Usage(long input, long output, long reasoning, long cacheRead, long cacheWrite, long totalTokens) {}
