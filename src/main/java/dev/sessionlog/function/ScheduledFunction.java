package dev.sessionlog.function;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.archive.Archiver;
import dev.sessionlog.sessions.IdleSweeper;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The scheduled Lambda (EventBridge): closes idle sessions' open loops, then archives old events to S3. */
public class ScheduledFunction {

    @Inject
    IdleSweeper idleSweeper;
    @Inject
    Archiver archiver;

    public record RunSummary(@JsonProperty("idle_sessions_closed") int idleSessionsClosed,
                             @JsonProperty("sessions_due") int sessionsDue,
                             @JsonProperty("sessions_archived") int sessionsArchived,
                             @JsonProperty("events_archived") long eventsArchived,
                             @JsonProperty("objects_written") int objectsWritten,
                             @JsonProperty("bytes_written") long bytesWritten) {
    }

    @Funq("archive")
    public RunSummary archive(JsonNode scheduledEvent) {
        int closed = idleSweeper.sweep();
        Archiver.Report report = archiver.run();
        return new RunSummary(closed, report.sessionsDue(), report.sessionsArchived(), report.eventsArchived(),
                report.objectsWritten(), report.bytesWritten());
    }
}
