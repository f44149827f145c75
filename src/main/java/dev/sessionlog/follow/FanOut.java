package dev.sessionlog.follow;

import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventBodyCodec;
import dev.sessionlog.log.dynamo.EventItems;
import dev.sessionlog.observe.Invocation;
import dev.sessionlog.sessions.StreamRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The events table's stream, pushed to followers: each session's new events of a batch go, in seq
 * order and coalesced into as few messages as fit, to every connection that follows it; an erasure's
 * mark closes them. A connection API Gateway calls gone loses its subscription, unless it was opened
 * moments ago (then it is not open yet: its follower reads those events while catching up). A
 * session whose messages could not be sent (throttled, unavailable) is retried from its first
 * record, so followers may see a message again: they take each seq once.
 */
public final class FanOut {

    private static final Logger LOG = Logger.getLogger(FanOut.class);

    /** A connection younger than this that answers gone is still opening ($connect has not returned). */
    static final Duration OPENING = Duration.ofSeconds(30);

    private static final ExecutorService SESSIONS = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "fan-out");
        t.setDaemon(true);
        return t;
    });

    private final Subscriptions subscriptions;
    private final Connections connections;
    private final Clock clock;

    public FanOut(Subscriptions subscriptions, Connections connections, Clock clock) {
        this.subscriptions = subscriptions;
        this.connections = connections;
        this.clock = clock;
    }

    /** Pushes the batch; returns the sequence numbers of the records to deliver again. */
    public List<String> push(List<StreamRecord> records) {
        Map<String, List<StreamRecord>> bySession = new LinkedHashMap<>();
        for (StreamRecord r : records) {
            Map<String, AttributeValue> item = r.newImage();
            if (!"INSERT".equals(r.eventName()) || item == null || !item.containsKey(EventItems.PK)) {
                continue;
            }
            boolean event = item.containsKey(EventItems.EVENT_ID) && !EventItems.isStub(item);
            if (event || item.containsKey(EventItems.ERASING)) {
                bySession.computeIfAbsent(item.get(EventItems.PK).s(), pk -> new ArrayList<>()).add(r);
            }
        }
        Map<String, String> invocation = Invocation.fields();
        List<CompletableFuture<List<String>>> pushes = new ArrayList<>();
        for (Map.Entry<String, List<StreamRecord>> session : bySession.entrySet()) {
            pushes.add(CompletableFuture.supplyAsync(() -> {
                Invocation.adopt(invocation);
                return pushReportingFailure(StreamKey.fromPk(session.getKey()), session.getValue());
            }, SESSIONS));
        }
        List<String> failed = new ArrayList<>();
        pushes.forEach(p -> failed.addAll(p.join()));
        return failed;
    }

    private List<String> pushReportingFailure(StreamKey key, List<StreamRecord> records) {
        try {
            pushSession(key, records);
            return List.of();
        } catch (RuntimeException e) {
            LOG.warnf(e, "pushing %d record(s) of session %s failed; they are delivered again", records.size(), key.sessionId());
            return List.of(records.get(0).sequenceNumber());
        }
    }

    private void pushSession(StreamKey key, List<StreamRecord> records) {
        List<Subscriptions.Subscription> followers = subscriptions.of(key);
        if (followers.isEmpty()) {
            return;
        }
        boolean erased = records.stream().anyMatch(r -> r.newImage().containsKey(EventItems.ERASING));
        List<String> messages = erased ? List.of(FollowMessages.erased(key.sessionId())) : messages(key, records);
        for (Subscriptions.Subscription follower : followers) {
            for (String message : messages) {
                if (connections.send(follower.connectionId(), message) == Connections.Delivery.GONE) {
                    if (follower.connectedAt().plus(OPENING).isBefore(clock.instant())) {
                        subscriptions.remove(key, follower.connectionId());
                    }
                    break;
                }
            }
            if (erased) {
                connections.close(follower.connectionId());
                subscriptions.remove(key, follower.connectionId());
            }
        }
    }

    private static List<String> messages(StreamKey key, List<StreamRecord> records) {
        List<EventRecord> events = new ArrayList<>();
        long through = 0;
        for (StreamRecord r : records) { // a session's records come in seq order
            for (Map<String, AttributeValue> item : EventItems.expand(r.newImage())) {
                through = Math.max(through, EventItems.seq(item));
                // a body kept in S3 is not fetched here: the follower reads it over HTTP
                events.add(item.containsKey(EventBodyCodec.BODY_REF) ? null : EventItems.toRecord(item, (PayloadStore) null));
            }
        }
        return FollowMessages.events(key.sessionId(), events, through);
    }
}
