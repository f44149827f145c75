package dev.sessionlog.log;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long an append without expected_seq keeps racing other writers of the same session before
 * it gives up with 429. Full jitter keeps racing writers from colliding again in lockstep.
 */
public record AppendRetryPolicy(int maxAttempts, long baseDelayMillis, long maxDelayMillis) {

    public static AppendRetryPolicy defaults() {
        return new AppendRetryPolicy(40, 4, 250);
    }

    public long delayMillis(int attempt) {
        long cap = Math.min(maxDelayMillis, baseDelayMillis << Math.min(attempt, 16));
        return ThreadLocalRandom.current().nextLong(cap + 1);
    }
}
