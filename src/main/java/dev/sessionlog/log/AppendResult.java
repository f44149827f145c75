package dev.sessionlog.log;

import java.util.List;

/** The outcome of an append: the session's head after it and each event's seq, in request order. */
public record AppendResult(String sessionId, long headSeq, List<AppendedEvent> events) {

    public AppendResult {
        events = List.copyOf(events);
    }

    /** True when this request stored anything (201), false when every event was a duplicate (200). */
    public boolean wroteAny() {
        return events.stream().anyMatch(e -> !e.duplicate());
    }
}
