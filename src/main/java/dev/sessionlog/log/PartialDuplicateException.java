package dev.sessionlog.log;

import java.util.List;

/** A request mixing already-stored and new event_ids; nothing was written. Maps to 409. */
public class PartialDuplicateException extends RuntimeException {
    private final List<String> storedEventIds;

    public PartialDuplicateException(List<String> storedEventIds, int requestSize) {
        super(storedEventIds.size() + " of the request's " + requestSize + " events are already stored ("
                + String.join(", ", storedEventIds.subList(0, Math.min(5, storedEventIds.size())))
                + (storedEventIds.size() > 5 ? ", ..." : "") + "); resend only the new ones or exactly the earlier request");
        this.storedEventIds = List.copyOf(storedEventIds);
    }

    public List<String> storedEventIds() {
        return storedEventIds;
    }
}
