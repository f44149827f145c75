package dev.sessionlog.log;

import dev.sessionlog.event.EventRecord;
import java.util.List;

/** A page of child events, each with its session, and the cursor of the next page (null at the end). */
public record ChildPage(List<Child> children, String nextCursor) {

    /**
     * @param cursorAfter where a page that stops after this child goes on (a reader that serves
     *                    fewer children than it got answers this child's cursorAfter)
     */
    public record Child(String sessionId, EventRecord record, String cursorAfter) {
    }
}
