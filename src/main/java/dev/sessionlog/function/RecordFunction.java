package dev.sessionlog.function;

import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The recorder Lambda: the events table's stream in, materialized sessions out. */
public class RecordFunction {

    @Inject
    StreamEventHandler handler;

    @Funq("record")
    public StreamBatchResponse record(DynamoStreamEvent event) {
        return handler.handle(event);
    }
}
