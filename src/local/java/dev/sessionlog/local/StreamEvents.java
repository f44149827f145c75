package dev.sessionlog.local;

import dev.sessionlog.function.StreamBatchResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.DynamoStreamEvent;
import dev.sessionlog.function.StreamEventHandler;
import java.util.List;

/** The Lambda round trip of a stream batch: event JSON in, the records to retry out. */
public final class StreamEvents {
    private StreamEvents() {
    }

    public static List<String> deliver(StreamEventHandler handler, ObjectNode event) {
        return deliver(handler::handle, event);
    }

    public static List<String> deliver(java.util.function.Function<DynamoStreamEvent, StreamBatchResponse> handler, ObjectNode event) {
        try {
            DynamoStreamEvent parsed = Json.MAPPER.treeToValue(event, DynamoStreamEvent.class);
            return handler.apply(parsed).batchItemFailures.stream().map(f -> f.itemIdentifier).toList();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not a stream event", e);
        }
    }
}
