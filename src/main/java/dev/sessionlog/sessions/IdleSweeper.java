package dev.sessionlog.sessions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.SeqConflictException;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.SessionFold;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/**
 * phi-core's flush for sessions nobody writes to any more: a session whose open loops have been
 * idle past the timeout gets a {@code sessionlog.IdleTimeout} event appended to its log, which the
 * recorder folds like any event (its loops become Aborted, the session completed). Through the log,
 * a rebuild repeats it; with expected_seq, an agent that wrote meanwhile wins and nothing is aborted.
 */
public final class IdleSweeper {

    private static final Logger LOG = Logger.getLogger(IdleSweeper.class);

    private final SessionStore store;
    private final EventLog log;
    private final Clock clock;
    private final Duration idleTimeout;

    public IdleSweeper(SessionStore store, EventLog log, Clock clock, Duration idleTimeout) {
        this.store = store;
        this.log = log;
        this.clock = clock;
        this.idleTimeout = idleTimeout;
    }

    /** Returns how many sessions were closed. */
    public int sweep() {
        Instant now = clock.instant();
        List<StreamKey> candidates = store.openAndIdle(now.minus(idleTimeout), 100);
        int closed = 0;
        for (StreamKey key : candidates) {
            // Each session stands alone: one that cannot be read or closed stops nobody else's.
            try {
                closed += close(key, now) ? 1 : 0;
            } catch (RuntimeException e) {
                LOG.errorf(e, "closing idle session %s of tenant %s failed; the next run tries again", key.sessionId(), key.tenant());
            }
        }
        return closed;
    }

    private boolean close(StreamKey key, Instant now) {
        SessionStore.Stored stored = store.load(key).orElse(null);
        if (stored == null || !stored.fold().hasOpenLoops()) {
            return false;
        }
        Instant lastEvent = stored.fold().lastEventAt();
        if (lastEvent != null && lastEvent.isAfter(now.minus(idleTimeout))) {
            return false; // the index's activity lags the last event by up to a minute: not idle yet
        }
        long through = stored.fold().recordedThroughSeq();
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("type", SessionFold.IDLE_TIMEOUT);
        event.put("at", now.toString());
        event.put("idle_timeout_secs", idleTimeout.toSeconds());
        // The id makes a repeated sweep of the same state a duplicate, not a second event.
        NewEvent idle = new NewEvent("sessionlog-idle-timeout-" + through, null, event, Json.bytes(event));
        try {
            log.append(key, new AppendRequest(List.of(idle), OptionalLong.of(through)));
            return true;
        } catch (SeqConflictException activeAgain) {
            // the agent appended since the fold: not idle after all (or not folded yet)
            return false;
        }
    }
}
