package dev.sessionlog.archive;

import java.time.Duration;

/**
 * @param hotWindow          ARCHIVE_HOT_WINDOW: events younger than this stay in DynamoDB (default PT24H)
 * @param segmentMaxEvents   ARCHIVE_SEGMENT_MAX_EVENTS: events per archive object at most (default 1000)
 * @param segmentMaxBytes    ARCHIVE_SEGMENT_MAX_BYTES: uncompressed JSON Lines bytes per object at most (default 8 MiB)
 * @param maxEventsPerRun    events one run archives of one session at most; the next run goes on (default 100000)
 * @param lease              how long a run holds a session before another run may take it over (default PT5M)
 */
public record ArchiveSettings(Duration hotWindow, int segmentMaxEvents, long segmentMaxBytes, int maxEventsPerRun,
                              Duration lease) {

    public static ArchiveSettings defaults() {
        return new ArchiveSettings(Duration.ofHours(24), 1000, 8L * 1024 * 1024, 100_000, Duration.ofMinutes(5));
    }

    public ArchiveSettings {
        if (segmentMaxEvents < 1 || segmentMaxBytes < 1 || maxEventsPerRun < 1) {
            throw new IllegalArgumentException("archive segment limits must be positive");
        }
    }
}
