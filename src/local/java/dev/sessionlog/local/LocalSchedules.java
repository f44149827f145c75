package dev.sessionlog.local;

import dev.sessionlog.follow.Connections;
import dev.sessionlog.function.FanOutEventHandler;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.StreamEventHandler;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * What AWS triggers by itself, done on this machine: the stream's event source mapping (a poll
 * that hands each batch, as Lambda event JSON, to the recorder's handler) and the EventBridge
 * schedules of the scheduled and the erasure functions.
 */
final class LocalSchedules implements AutoCloseable {

    private final ScheduledExecutorService executor;

    private LocalSchedules(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** How often the fan-out's poller reads the stream: what an event waits at most, here, before it is pushed. */
    static final long FAN_OUT_POLL_MILLIS = 100;

    static LocalSchedules start(Components components, DynamoDbClient dynamo, DynamoDbStreamsClient streams, LocalConfig config,
                                Connections followers) {
        ScheduledExecutorService executor = Executors.newScheduledThreadPool(4, r -> {
            Thread t = new Thread(r, "sessionlog-schedule");
            t.setDaemon(true);
            return t;
        });
        StreamEventHandler recorder = components.streamEventHandler();
        StreamPoller poller = new StreamPoller(dynamo, streams, components.settings().eventsTable(), EmbeddedAws.REGION.id());
        executor.scheduleWithFixedDelay(() -> {
            try {
                poller.pollOnce(event -> StreamEvents.deliver(recorder, event));
            } catch (RuntimeException e) {
                System.err.println("sessionlog: stream poll failed: " + e);
            }
        }, 0, config.streamPollMillis(), TimeUnit.MILLISECONDS);
        // The fan-out, the stream's second reader: from now on, as a new mapping with LATEST reads.
        FanOutEventHandler fanOut = new FanOutEventHandler(components.fanOut(followers));
        StreamPoller fanOutPoller = StreamPoller.fromNow(dynamo, streams, components.settings().eventsTable(), EmbeddedAws.REGION.id());
        executor.scheduleWithFixedDelay(() -> {
            try {
                fanOutPoller.pollOnce(event -> StreamEvents.deliver(fanOut::handle, event));
            } catch (RuntimeException e) {
                System.err.println("sessionlog: fan-out poll failed: " + e);
            }
        }, 0, FAN_OUT_POLL_MILLIS, TimeUnit.MILLISECONDS);
        var work = components.scheduledWork();
        executor.scheduleWithFixedDelay(() -> {
            try {
                var report = work.run();
                if (report.idleSessionsClosed() > 0) {
                    System.out.println("sessionlog: closed " + report.idleSessionsClosed() + " idle session(s)");
                }
                if (report.eventsArchived() > 0) {
                    System.out.println("sessionlog: archived " + report.eventsArchived() + " event(s) of "
                            + report.sessionsArchived() + " session(s) into " + report.objectsWritten() + " object(s)");
                }
            } catch (RuntimeException e) {
                System.err.println("sessionlog: scheduled run failed: " + e);
            }
        }, config.scheduleSeconds(), config.scheduleSeconds(), TimeUnit.SECONDS);
        var erasure = components.eraseWork();
        executor.scheduleWithFixedDelay(() -> {
            try {
                var report = erasure.run();
                if (report.sessionsErased() > 0 || report.sessionsExpired() > 0) {
                    System.out.println("sessionlog: erased " + report.sessionsErased() + " session(s) ("
                            + report.sessionsExpired() + " past SESSION_RETENTION marked)");
                }
            } catch (RuntimeException e) {
                System.err.println("sessionlog: erasure run failed: " + e);
            }
        }, config.eraseSeconds(), config.eraseSeconds(), TimeUnit.SECONDS);
        return new LocalSchedules(executor);
    }

    /** Lets a poll or a run in progress finish (a few seconds at most), then stops. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
