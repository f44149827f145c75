package dev.sessionlog.client;

import java.util.List;

/** A page of the tenant's sessions, newest activity first; {@code nextCursor} is null at the end. */
public record SessionList(List<SessionSummary> sessions, String nextCursor) {
  public SessionList {
    sessions = sessions == null ? List.of() : List.copyOf(sessions);
  }
}
