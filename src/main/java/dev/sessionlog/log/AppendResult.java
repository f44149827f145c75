package dev.sessionlog.log;

import java.util.List;

/**
 * The outcome of an append: the session's head after it, each event's seq in request order, and the
 * receipt: the chain value at the highest seq the request's events hold.
 */
public record AppendResult(String sessionId, long headSeq, List<AppendedEvent> events, String chain) {

    public AppendResult {
        events = List.copyOf(events);
    }

    /** True when this request stored anything (201), false when every event was a duplicate (200). */
    public boolean wroteAny() {
        return events.stream().anyMatch(e -> !e.duplicate());
    }
}
