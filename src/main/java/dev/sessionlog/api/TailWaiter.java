package dev.sessionlog.api;

import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.TimeBudget;
import dev.sessionlog.sessions.WaitSlots;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * {@code wait=N} on ascending reads: when no event after the reader's position exists yet, the
 * request is held, looking whether anything followed the head every {@link #POLL}, until one is appended or N
 * seconds pass. Each tenant has a maximum of concurrent waits ({@link WaitSlots}); past it a wait
 * answers 429. A session erased meanwhile answers 404.
 */
final class TailWaiter {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(TailWaiter.class);

    static final int MAX_WAIT_SECONDS = 20;
    /** How often a waiting request reads the head: the most an append waits for its reader. */
    static final Duration POLL = Duration.ofMillis(500);
    /** What a wait leaves of the request's time budget, to read and answer the page. */
    private static final Duration ANSWER_TIME = Duration.ofSeconds(3);

    /** Sleeps; tests give one that is interrupted or counted. */
    interface Sleeper {
        Sleeper REAL = millis -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for events", e);
            }
        };

        void sleep(long millis);
    }

    private final EventLog log;
    private final WaitSlots slots;
    private final Clock clock;
    private final Sleeper sleeper;

    TailWaiter(EventLog log, WaitSlots slots, Clock clock, Sleeper sleeper) {
        this.log = log;
        this.slots = slots;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * The session's head once it holds an event after {@code afterSeq}, or when {@code seconds} have
     * passed (whichever is first); the head read first when there is one already.
     */
    Head await(StreamKey key, long afterSeq, int seconds, Head head) {
        if (head.seq() > afterSeq) {
            return head; // catching up: nothing to wait for
        }
        boolean existed = head.exists();
        if (!existed && log.isErased(key)) {
            throw ApiException.sessionNotFound(key.sessionId());
        }
        long budgetMillis = TimeBudget.remainingNanos() / 1_000_000L - ANSWER_TIME.toMillis();
        long waitMillis = Math.min(seconds * 1000L, Math.max(0, budgetMillis));
        // the wait is timed by this process's own clock; the slot's end by the shared one
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        String waiter = UUID.randomUUID().toString();
        if (!slots.acquire(key.tenant(), waiter, clock.instant().plusMillis(waitMillis).plus(ANSWER_TIME))) {
            throw new ApiException(429, "throttled", "this tenant has " + slots.maxPerTenant()
                    + " reads waiting for events already (the most at once); retry, or read without wait");
        }
        // What is polled: whether anything follows the head the wait started from (a reader past the
        // head waits for events up to its position too).
        long from = Math.min(afterSeq, head.seq());
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return head;
                }
                sleeper.sleep(Math.min(POLL.toMillis(), left));
                if (!log.writtenAfter(key, from)) {
                    continue;
                }
                head = log.headInfo(key);
                if (head.erasing() || existed && head.seq() == 0) {
                    throw ApiException.sessionNotFound(key.sessionId()); // erased meanwhile
                }
                if (head.seq() > afterSeq) {
                    return head;
                }
            }
        } finally {
            try {
                slots.release(key.tenant(), waiter);
            } catch (RuntimeException e) {
                // the read stands; the slot lapses at its end time anyway
                LOG.warnf(e, "giving back the wait slot of %s failed; it lapses by itself", key.sessionId());
            }
        }
    }
}
