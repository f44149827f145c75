package dev.sessionlog.function;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sessionlog.erase.Eraser;
import dev.sessionlog.erase.RetentionSweeper;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * One run of the erasure function: sessions past SESSION_RETENTION are marked, then marked sessions
 * are erased. Each part runs even when the other failed; the run then fails as a whole (its alarm).
 */
public final class EraseWork {

    private static final Logger LOG = Logger.getLogger(EraseWork.class);

    private final RetentionSweeper retention;
    private final Eraser eraser;

    public EraseWork(RetentionSweeper retention, Eraser eraser) {
        this.retention = retention;
        this.eraser = eraser;
    }

    public record RunSummary(@JsonProperty("sessions_expired") int sessionsExpired,
                             @JsonProperty("sessions_marked") int sessionsMarked,
                             @JsonProperty("sessions_erased") int sessionsErased,
                             @JsonProperty("sessions_waiting") int sessionsWaiting,
                             @JsonProperty("items_deleted") long itemsDeleted,
                             @JsonProperty("objects_deleted") long objectsDeleted,
                             @JsonProperty("events_copied_to_forks") long eventsCopied,
                             @JsonProperty("failed_parts") List<String> failedParts) {
    }

    public RunSummary run() {
        List<String> failed = new ArrayList<>();
        int expired = 0;
        try {
            expired = retention.sweep();
        } catch (RuntimeException e) {
            LOG.errorf(e, "the retention sweep failed; erasures go on");
            failed.add("retention");
        }
        Eraser.Report report = new Eraser.Report(0, 0, 0, 0, 0, 0);
        try {
            report = eraser.run();
        } catch (RuntimeException e) {
            LOG.errorf(e, "erasure failed");
            failed.add("erasure");
        }
        RunSummary summary = new RunSummary(expired, report.marked(), report.erased(), report.waiting(), report.itemsDeleted(),
                report.objectsDeleted(), report.eventsCopied(), failed);
        if (!failed.isEmpty()) {
            throw new IllegalStateException("the erasure run did what it could, but these failed: " + failed + "; " + summary);
        }
        LOG.infof("run done: %s", summary);
        return summary;
    }
}
