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
 * mark closes them. A tenant's list followers get one message per batch naming the tenant's sessions
 * that got events (through which seq) or were erased. A connection API Gateway calls gone loses its subscription, unless it was opened
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
        Map<String, Map<StreamKey, List<StreamRecord>>> byTenant = new LinkedHashMap<>();
        for (Map.Entry<String, List<StreamRecord>> session : bySession.entrySet()) {
            StreamKey key = StreamKey.fromPk(session.getKey());
            byTenant.computeIfAbsent(key.tenant(), t -> new LinkedHashMap<>()).put(key, session.getValue());
            pushes.add(CompletableFuture.supplyAsync(() -> {
                Invocation.adopt(invocation);
                return pushReportingFailure(key, session.getValue());
            }, SESSIONS));
        }
        for (Map.Entry<String, Map<StreamKey, List<StreamRecord>>> tenant : byTenant.entrySet()) {
            pushes.add(CompletableFuture.supplyAsync(() -> {
                Invocation.adopt(invocation);
                return pushListReportingFailure(tenant.getKey(), tenant.getValue());
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

    /** The tenant's list followers learn which sessions got events (through which seq) or were erased. */
    private List<String> pushListReportingFailure(String tenant, Map<StreamKey, List<StreamRecord>> sessions) {
        try {
            FollowTopic topic = FollowTopic.tenantList(tenant);
            List<Subscriptions.Subscription> followers = subscriptions.of(topic);
            if (!followers.isEmpty()) {
                Map<String, Long> heads = new LinkedHashMap<>();
                sessions.forEach((key, records) -> heads.put(key.sessionId(), erased(records) ? -1L
                        : records.stream().mapToLong(r -> EventItems.lastSeq(r.newImage())).max().orElse(0)));
                send(topic, followers, List.of(FollowMessages.sessions(heads)));
            }
            return List.of();
        } catch (RuntimeException e) {
            LOG.warnf(e, "pushing the sessions of a tenant to its list's followers failed; they are delivered again");
            return List.of(sessions.values().iterator().next().get(0).sequenceNumber());
        }
    }

    private void pushSession(StreamKey key, List<StreamRecord> records) {
        FollowTopic topic = FollowTopic.session(key);
        List<Subscriptions.Subscription> followers = subscriptions.of(topic);
        if (followers.isEmpty()) {
            return;
        }
        boolean erased = erased(records);
        send(topic, followers, erased ? List.of(FollowMessages.erased(key.sessionId())) : messages(key, records));
        if (erased) {
            for (Subscriptions.Subscription follower : followers) {
                connections.close(follower.connectionId());
                subscriptions.remove(topic, follower.connectionId());
            }
        }
    }

    private static boolean erased(List<StreamRecord> records) {
        return records.stream().anyMatch(r -> r.newImage().containsKey(EventItems.ERASING));
    }

    /** Sends the messages in order to each follower; a connection gone (for longer than its opening) loses its subscription. */
    private void send(FollowTopic topic, List<Subscriptions.Subscription> followers, List<String> messages) {
        for (Subscriptions.Subscription follower : followers) {
            for (String message : messages) {
                if (connections.send(follower.connectionId(), message) == Connections.Delivery.GONE) {
                    if (follower.connectedAt().plus(OPENING).isBefore(clock.instant())) {
                        subscriptions.remove(topic, follower.connectionId());
                    }
                    break;
                }
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
