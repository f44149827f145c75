package dev.sessionlog.function;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.sessions.IdleSweeper;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The scheduled Lambda (EventBridge): closes idle sessions' open loops. */
public class ScheduledFunction {

    @Inject
    IdleSweeper idleSweeper;

    public record RunSummary(@JsonProperty("idle_sessions_closed") int idleSessionsClosed) {
    }

    @Funq("archive")
    public RunSummary archive(JsonNode scheduledEvent) {
        return new RunSummary(idleSweeper.sweep());
    }
}
