package dev.sessionlog.client;

import java.util.List;

/**
 * The answer to an append: the session's head after it, the receipt (the chain value at the highest
 * seq this request's events hold) and each event's seq. {@link #duplicate()} is true when every
 * event was stored before (a retry whose first answer was lost): a success.
 */
public record AppendResult(String sessionId, long headSeq, String chain, List<AppendedEvent> events) {
  public AppendResult {
    events = List.copyOf(events);
  }

  /** The receipt for everything up to this request's last event; null for pre-chain records. */
  public Receipt receipt() {
    long seq = events.stream().mapToLong(AppendedEvent::seq).max().orElse(headSeq);
    return chain == null ? null : new Receipt(sessionId, seq, chain);
  }

  public boolean duplicate() {
    return events.stream().allMatch(AppendedEvent::duplicate);
  }
}
