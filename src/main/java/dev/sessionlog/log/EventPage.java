package dev.sessionlog.log;

import dev.sessionlog.event.EventRecord;
import java.util.List;

/** A page of events and the archival watermark it was read under. */
public record EventPage(List<EventRecord> events, long archivedThrough) {

    public EventPage {
        events = List.copyOf(events);
    }
}
