package dev.sessionlog.log;

import java.time.Duration;

/**
 * How long the request being served may still take. API Gateway gives a Lambda 30 s and each
 * function has its own timeout: a request that would run past its budget stops and answers 503
 * with Retry-After instead of ending as a Lambda timeout. Set by the handler for its thread.
 */
public final class TimeBudget {

    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    private TimeBudget() {
    }

    /** Starts the budget of the request on this thread. */
    public static void start(Duration budget) {
        DEADLINE.set(System.nanoTime() + budget.toNanos());
    }

    public static void end() {
        DEADLINE.remove();
    }

    /** Nanoseconds left; a large value when no budget was started (background work). */
    public static long remainingNanos() {
        Long deadline = DEADLINE.get();
        return deadline == null ? Long.MAX_VALUE : deadline - System.nanoTime();
    }

    /** @throws OutOfTimeException when the budget is spent, or would be by waiting {@code millis} more */
    public static void check(String doing, long millis) {
        if (remainingNanos() < millis * 1_000_000L) {
            throw new OutOfTimeException("the request ran out of its time budget while " + doing
                    + "; nothing was half-written: retry it");
        }
    }

    /** The request's time budget is spent; nothing was half-written. Maps to 503 with Retry-After. */
    public static final class OutOfTimeException extends RuntimeException {
        public OutOfTimeException(String message) {
            super(message);
        }
    }
}
