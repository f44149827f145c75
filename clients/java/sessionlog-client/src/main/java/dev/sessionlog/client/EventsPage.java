package dev.sessionlog.client;

import java.util.List;

/**
 * A page of events. Ascending pages carry {@code nextAfterSeq} (null at the end, never null with a
 * wait), descending ones {@code nextBeforeSeq} (null once seq 1 was served). A filtered page may hold
 * fewer events than asked, even none, while its cursor is not null.
 */
public record EventsPage(
    String sessionId,
    long headSeq,
    long archivedThroughSeq,
    Long nextAfterSeq,
    Long nextBeforeSeq,
    List<EventRecord> events) {
  public EventsPage {
    events = events == null ? List.of() : List.copyOf(events);
  }
}
