package dev.sessionlog.client;

import java.time.Instant;

/** Filters of the session list: an agent, activity since a time, the forks of a session; a page size and cursor. */
public final class ListOptions {
  private String agentId;
  private Instant activeSince;
  private String forkedFrom;
  private Integer limit;
  private String cursor;

  public static ListOptions all() {
    return new ListOptions();
  }

  public ListOptions agentId(String agentId) {
    if (agentId == null || agentId.isEmpty() || agentId.length() > 1024) {
      throw new IllegalArgumentException("agentId must be 1 to 1024 characters");
    }
    this.agentId = agentId;
    return this;
  }

  public ListOptions activeSince(Instant activeSince) {
    if (activeSince == null) {
      throw new IllegalArgumentException("activeSince must not be null");
    }
    this.activeSince = activeSince;
    return this;
  }

  public ListOptions forkedFrom(String sessionId) {
    this.forkedFrom = Ids.require(sessionId, "forkedFrom");
    return this;
  }

  public ListOptions limit(int limit) {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be from 1 to 1000, was " + limit);
    }
    this.limit = limit;
    return this;
  }

  public ListOptions cursor(String cursor) {
    this.cursor = cursor;
    return this;
  }

  public String agentId() {
    return agentId;
  }

  public Instant activeSince() {
    return activeSince;
  }

  public String forkedFrom() {
    return forkedFrom;
  }

  public Integer limit() {
    return limit;
  }

  public String cursor() {
    return cursor;
  }

  ListOptions withCursor(String next) {
    ListOptions copy = new ListOptions();
    copy.agentId = agentId;
    copy.activeSince = activeSince;
    copy.forkedFrom = forkedFrom;
    copy.limit = limit;
    copy.cursor = next;
    return copy;
  }
}
