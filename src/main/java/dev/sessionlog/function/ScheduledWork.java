package dev.sessionlog.function;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sessionlog.archive.Archiver;
import dev.sessionlog.archive.OrphanSweeper;
import dev.sessionlog.sessions.IdleSweeper;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * What the scheduled function does on each run, each part on its own: closing idle sessions,
 * archival, and the sweep of orphaned objects. A part that fails is logged and the others still
 * run; the run then fails as a whole (the function's error alarm), after everything it could do.
 */
public final class ScheduledWork {

    private static final Logger LOG = Logger.getLogger(ScheduledWork.class);
    /** Objects the orphan sweep looks at per run and kind: a few LIST calls. */
    static final int SWEEP_OBJECTS_PER_RUN = 2000;

    private final IdleSweeper idleSweeper;
    private final Archiver archiver;
    private final OrphanSweeper orphans;

    public ScheduledWork(IdleSweeper idleSweeper, Archiver archiver, OrphanSweeper orphans) {
        this.idleSweeper = idleSweeper;
        this.archiver = archiver;
        this.orphans = orphans;
    }

    public record RunSummary(@JsonProperty("idle_sessions_closed") int idleSessionsClosed,
                             @JsonProperty("sessions_due") int sessionsDue,
                             @JsonProperty("sessions_archived") int sessionsArchived,
                             @JsonProperty("events_archived") long eventsArchived,
                             @JsonProperty("objects_written") int objectsWritten,
                             @JsonProperty("bytes_written") long bytesWritten,
                             @JsonProperty("orphans_removed") int orphansRemoved,
                             @JsonProperty("failed_parts") List<String> failedParts) {
    }

    /** Runs every part; fails after all of them when one failed. */
    public RunSummary run() {
        RunParts parts = new RunParts(LOG, "scheduled run");
        int closed = parts.part("idle sessions", idleSweeper::sweep, 0);
        Archiver.Report archived = parts.part("archival", archiver::run, new Archiver.Report(0, 0, 0, 0, 0));
        OrphanSweeper.Report swept = parts.part("orphan sweep", () -> orphans.sweep(SWEEP_OBJECTS_PER_RUN),
                new OrphanSweeper.Report(0, 0));
        return parts.finish(new RunSummary(closed, archived.sessionsDue(), archived.sessionsArchived(), archived.eventsArchived(),
                archived.objectsWritten(), archived.bytesWritten(), swept.removed(), parts.failed()));
    }
}
