package dev.sessionlog.archive;

import java.time.Duration;

/**
 * @param hotWindow          ARCHIVE_HOT_WINDOW: events younger than this stay in DynamoDB (default PT24H)
 * @param segmentMaxEvents   ARCHIVE_SEGMENT_MAX_EVENTS: events per archive object at most (default 1000)
 * @param segmentMaxBytes    ARCHIVE_SEGMENT_MAX_BYTES: uncompressed JSON Lines bytes per object at most (default 8 MiB)
 * @param maxEventsPerRun    events one run archives of one session at most; the next run goes on (default 100000)
 * @param lease              how long a run holds a session before another run may take it over: the
 *                           scheduled function's timeout plus {@link #LEASE_MARGIN} ({@link #forFunctionTimeout})
 * @param grace              ARCHIVE_GRACE: how long an event's item outlives the hot window before TTL
 *                           deletes it (default P7D). The archiver moves it to S3 long before; the
 *                           grace is how far the archiver may fall behind before events are rescued
 *                           from TTL's stream records, and how long a retry of an archived event's id
 *                           is still recognised (the idempotency window is hot window + grace).
 */
public record ArchiveSettings(Duration hotWindow, int segmentMaxEvents, long segmentMaxBytes, int maxEventsPerRun,
                              Duration lease, Duration grace) {

    public static final Duration DEFAULT_GRACE = Duration.ofDays(7);
    /** What the contract promises: a retry is recognised for at least this long after its events were appended. */
    public static final Duration MIN_IDEMPOTENCY_WINDOW = Duration.ofHours(24);

    /**
     * A run stops working this long before its function's timeout, and a lease lasts this long past
     * it: a run can never act on a session after its lease ran out, so no two runs ever work one.
     */
    public static final Duration LEASE_MARGIN = Duration.ofSeconds(60);

    public static ArchiveSettings defaults() {
        return new ArchiveSettings(Duration.ofHours(24), 1000, 8L * 1024 * 1024, 100_000, leaseFor(Duration.ofMinutes(5)), DEFAULT_GRACE);
    }

    /** The settings of a scheduled function with the given timeout: the lease is derived from it. */
    /** These settings with objects of at most {@code events} events (tests archive small sessions in several objects). */
    public ArchiveSettings withSegmentMaxEvents(int events) {
        return new ArchiveSettings(hotWindow, events, segmentMaxBytes, maxEventsPerRun, lease, grace);
    }

    public static ArchiveSettings forFunctionTimeout(Duration hotWindow, int segmentMaxEvents, long segmentMaxBytes,
                                                     Duration functionTimeout) {
        return forFunctionTimeout(hotWindow, segmentMaxEvents, segmentMaxBytes, functionTimeout, DEFAULT_GRACE);
    }

    public static ArchiveSettings forFunctionTimeout(Duration hotWindow, int segmentMaxEvents, long segmentMaxBytes,
                                                     Duration functionTimeout, Duration grace) {
        return new ArchiveSettings(hotWindow, segmentMaxEvents, segmentMaxBytes, defaults().maxEventsPerRun(),
                leaseFor(functionTimeout), grace);
    }

    /** How long an event's item lives in DynamoDB: the hot window, then the grace. */
    public Duration itemLifetime() {
        return hotWindow.plus(grace);
    }

    static Duration leaseFor(Duration functionTimeout) {
        return functionTimeout.plus(LEASE_MARGIN);
    }

    public ArchiveSettings {
        if (segmentMaxEvents < 1 || segmentMaxBytes < 1 || maxEventsPerRun < 1) {
            throw new IllegalArgumentException("archive segment limits must be positive");
        }
        if (grace == null || grace.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("ARCHIVE_GRACE must be at least PT1H (the archiver needs time to run), was " + grace);
        }
        if (hotWindow.plus(grace).compareTo(MIN_IDEMPOTENCY_WINDOW) < 0) {
            throw new IllegalArgumentException("ARCHIVE_HOT_WINDOW + ARCHIVE_GRACE must be at least " + MIN_IDEMPOTENCY_WINDOW
                    + " (retries are recognised that long), was " + hotWindow + " + " + grace);
        }
    }

    /** How long one run works: it stops {@link #LEASE_MARGIN} before its function's timeout. */
    public Duration runBudget() {
        Duration budget = lease.minus(LEASE_MARGIN.multipliedBy(2));
        return budget.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : budget;
    }
}
