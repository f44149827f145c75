package dev.sessionlog.log;

import java.time.Instant;

/**
 * A session marked for erasure: from the mark on it is gone for readers and closed to writers, and the
 * scheduled run erases what it owns.
 *
 * @param markSeq where the mark sits: just after the session's last event
 */
public record EraseRequest(StreamKey key, long markSeq, Instant requestedAt) {
}
