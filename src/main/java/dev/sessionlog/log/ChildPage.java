package dev.sessionlog.log;

import dev.sessionlog.event.EventRecord;
import java.util.List;

/** A page of child events, each with its session, and the cursor of the next page (null at the end). */
public record ChildPage(List<Child> children, String nextCursor) {

    public record Child(String sessionId, EventRecord record) {
    }
}
