package dev.sessionlog.function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.observe.Invocation;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The scheduled Lambda (EventBridge): idle sessions, archival, and orphaned objects; see {@link ScheduledWork}. */
public class ScheduledFunction {

    @Inject
    ScheduledWork work;

    @Funq("archive")
    public ScheduledWork.RunSummary archive(JsonNode scheduledEvent) {
        Invocation.begin();
        return work.run();
    }
}
