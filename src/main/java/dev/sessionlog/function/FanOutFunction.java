package dev.sessionlog.function;

import dev.sessionlog.follow.FanOut;
import dev.sessionlog.observe.Invocation;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The fan-out Lambda: the events table's stream in, pushes to the followers' WebSocket connections out. */
public class FanOutFunction {

    @Inject
    FanOut fanOut;

    @Funq("fanout")
    public StreamBatchResponse fanout(DynamoStreamEvent event) {
        Invocation.begin();
        return new FanOutEventHandler(fanOut).handle(event);
    }
}
