package dev.sessionlog.function;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sessionlog.erase.Eraser;
import dev.sessionlog.erase.RetentionSweeper;
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
        RunParts parts = new RunParts(LOG, "erasure run");
        int expired = parts.part("retention", retention::sweep, 0);
        Eraser.Report report = parts.part("erasure", eraser::run, Eraser.Report.NONE);
        return parts.finish(new RunSummary(expired, report.marked(), report.erased(), report.waiting(), report.itemsDeleted(),
                report.objectsDeleted(), report.eventsCopied(), parts.failed()));
    }
}
