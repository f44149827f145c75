package dev.sessionlog.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.DynamoStreamEvent;
import dev.sessionlog.function.StreamBatchResponse;
import dev.sessionlog.function.StreamEventHandler;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * What AWS triggers by itself, done on this machine: the stream's event source mapping (a poll
 * that hands each batch, as Lambda event JSON, to the recorder's handler) and the EventBridge
 * schedule of the scheduled function.
 */
final class LocalSchedules implements AutoCloseable {

    private final ScheduledExecutorService executor;

    private LocalSchedules(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    static LocalSchedules start(Components components, DynamoDbClient dynamo, DynamoDbStreamsClient streams, LocalConfig config) {
        ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "sessionlog-schedule");
            t.setDaemon(true);
            return t;
        });
        StreamEventHandler recorder = new StreamEventHandler(components.streamRecorder());
        StreamPoller poller = new StreamPoller(dynamo, streams, components.settings().eventsTable(), "ddblocal");
        executor.scheduleWithFixedDelay(() -> {
            try {
                poller.pollOnce(event -> record(recorder, event));
            } catch (RuntimeException e) {
                System.err.println("sessionlog: stream poll failed: " + e);
            }
        }, 0, config.streamPollMillis(), TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(() -> {
            try {
                int closed = components.idleSweeper().sweep();
                if (closed > 0) {
                    System.out.println("sessionlog: closed " + closed + " idle session(s)");
                }
            } catch (RuntimeException e) {
                System.err.println("sessionlog: scheduled run failed: " + e);
            }
        }, config.scheduleSeconds(), config.scheduleSeconds(), TimeUnit.SECONDS);
        return new LocalSchedules(executor);
    }

    /** The Lambda round trip: event JSON in, the function's partial batch response out. */
    static List<String> record(StreamEventHandler recorder, ObjectNode event) {
        try {
            DynamoStreamEvent parsed = Json.MAPPER.treeToValue(event, DynamoStreamEvent.class);
            StreamBatchResponse response = recorder.handle(parsed);
            return response.batchItemFailures.stream().map(f -> f.itemIdentifier).toList();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
