package dev.sessionlog.client;

import java.time.Duration;

/**
 * When and how often a request is sent again: after no answer (connection refused or reset, a
 * timeout), a 429, a 503 (or API Gateway's 502/504). Appends are safe to resend because their event
 * ids are fixed before the first attempt: a resent append that had been stored answers as a
 * duplicate. The wait doubles from {@code initialBackoff} up to {@code maxBackoff}, with jitter, or
 * is the answer's {@code Retry-After} when that is longer.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (initialBackoff == null || initialBackoff.isNegative()) {
      throw new IllegalArgumentException("initialBackoff must be zero or positive");
    }
    if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be at least initialBackoff");
    }
  }

  /** 6 attempts, 200 ms doubling to 5 s: about 10 s of trying. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(6, Duration.ofMillis(200), Duration.ofSeconds(5));
  }

  /** One attempt: every failure reaches the caller at once. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /** The wait before attempt {@code attempt + 1} (attempt counts from 1), before jitter. */
  public Duration backoff(int attempt) {
    long millis = initialBackoff.toMillis();
    for (int i = 1; i < attempt && millis < maxBackoff.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }
}
