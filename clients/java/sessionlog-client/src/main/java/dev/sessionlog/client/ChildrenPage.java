package dev.sessionlog.client;

import java.util.List;

/** A page of an event's children; {@code nextCursor} is null at the end. */
public record ChildrenPage(String sessionId, String eventId, List<ChildRecord> children, String nextCursor) {
  public ChildrenPage {
    children = children == null ? List.of() : List.copyOf(children);
  }
}
