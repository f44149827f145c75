package dev.sessionlog.function;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sessionlog.archive.Archiver;
import dev.sessionlog.archive.OrphanSweeper;
import dev.sessionlog.sessions.IdleSweeper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
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
        List<String> failed = new ArrayList<>();
        int closed = part("idle sessions", failed, idleSweeper::sweep, 0);
        Archiver.Report archived = part("archival", failed, archiver::run, new Archiver.Report(0, 0, 0, 0, 0));
        OrphanSweeper.Report swept = part("orphan sweep", failed, () -> orphans.sweep(SWEEP_OBJECTS_PER_RUN),
                new OrphanSweeper.Report(0, 0));
        RunSummary summary = new RunSummary(closed, archived.sessionsDue(), archived.sessionsArchived(), archived.eventsArchived(),
                archived.objectsWritten(), archived.bytesWritten(), swept.removed(), failed);
        if (!failed.isEmpty()) {
            throw new IllegalStateException("the scheduled run did every part it could, but these failed: " + failed
                    + " (see the log); " + summary);
        }
        LOG.infof("run done: %s", summary);
        return summary;
    }

    private static <T> T part(String name, List<String> failed, Supplier<T> work, T nothing) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            LOG.errorf(e, "the scheduled run's %s failed; the other parts go on", name);
            failed.add(name);
            return nothing;
        }
    }
}
