package dev.sessionlog.function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.observe.Invocation;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The erasure Lambda (EventBridge, every minute): retention's marks, then the erasures; see {@link EraseWork}. */
public class EraseFunction {

    @Inject
    EraseWork work;

    @Funq("erase")
    public EraseWork.RunSummary erase(JsonNode scheduledEvent) {
        Invocation.begin();
        return work.run();
    }
}
