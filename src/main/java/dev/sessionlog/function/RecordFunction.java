package dev.sessionlog.function;

import dev.sessionlog.observe.Invocation;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The recorder Lambda: the events table's stream in, materialized sessions out. */
public class RecordFunction {

    @Inject
    StreamEventHandler handler;

    @Funq("record")
    public StreamBatchResponse record(DynamoStreamEvent event) {
        Invocation.begin();
        return handler.handle(event);
    }
}
