package dev.sessionlog.log;

import dev.sessionlog.event.EventRecord;
import java.util.List;

/**
 * A page of events and the archival watermark it was read under.
 *
 * @param lastExamined the seq of the last event the page looked at (served or not, with a type filter):
 *                     where the next page goes on; meaningful unless {@code exhausted}
 * @param exhausted    the page reached the end of what it asked for (its bound, or the session's end)
 */
public record EventPage(List<EventRecord> events, long archivedThrough, long lastExamined, boolean exhausted, int examined) {

    public EventPage {
        events = List.copyOf(events);
    }

    public static EventPage empty(long archivedThrough) {
        return new EventPage(List.of(), archivedThrough, 0, true, 0);
    }
}
