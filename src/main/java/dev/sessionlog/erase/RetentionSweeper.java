package dev.sessionlog.erase;

import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.SessionErasedException;
import dev.sessionlog.log.SessionMissingException;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.SessionStore;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * SESSION_RETENTION: marks for erasure every session whose activity (last_event_at; a fork's starts
 * at its creation) is older than the retention, found through the sessions' retention index. The
 * erasure itself is the same as a DELETE's.
 */
public final class RetentionSweeper {

    private static final Logger LOG = Logger.getLogger(RetentionSweeper.class);
    /** Sessions one run marks per index shard at most; the next run takes the rest. */
    static final int PER_SHARD = 200;

    private final SessionStore sessions;
    private final EventLog log;
    private final Clock clock;
    private final Duration retention;

    /** @param retention null: sessions are kept until they are erased by a DELETE */
    public RetentionSweeper(SessionStore sessions, EventLog log, Clock clock, Duration retention) {
        this.sessions = sessions;
        this.log = log;
        this.clock = clock;
        this.retention = retention;
    }

    /** Marks the sessions past the retention; returns how many it marked. */
    public int sweep() {
        if (retention == null) {
            return 0;
        }
        int marked = 0;
        // The index's activity lags the last event by less than ACTIVITY_STEP: one that is older than
        // the retention by that much more is a session whose last event is past it, found without a read.
        java.time.Instant before = clock.instant().minus(retention).minus(SessionStore.ACTIVITY_STEP);
        for (StreamKey key : sessions.inactiveSince(before, PER_SHARD)) {
            try {
                log.requestErase(key);
                sessions.hideFromLists(key); // off the retention index too: the next run does not find it again
                marked++;
            } catch (SessionMissingException | SessionErasedException gone) {
                sessions.delete(key); // its events are gone already: only its materialized view was left
            } catch (RuntimeException e) {
                // one session that cannot be marked now (busy, throttled) keeps the others' marks; next run retries
                LOG.errorf(e, "retention: marking session %s of tenant %s failed", key.sessionId(), key.tenant());
            }
        }
        if (marked > 0) {
            LOG.infof("retention: %d sessions inactive for more than %s are being erased", marked, retention);
        }
        return marked;
    }
}
