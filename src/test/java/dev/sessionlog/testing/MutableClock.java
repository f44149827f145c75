package dev.sessionlog.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves: appends made "two days ago", an archiver run "now". With a tick, each reading
 * moves it on too: time passes with the work done (a run's budget runs out as it works).
 */
public final class MutableClock extends Clock {
    private volatile Instant now;
    private volatile Duration tick = Duration.ZERO;

    public MutableClock(Instant now) {
        this.now = now;
    }

    public void set(Instant instant) {
        now = instant;
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }

    /** From now on each reading moves the clock on by {@code tick} (zero: it stands still between moves). */
    public void tickEachReading(Duration tick) {
        this.tick = tick;
    }

    @Override
    public synchronized Instant instant() {
        Instant read = now;
        now = now.plus(tick);
        return read;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
