package dev.sessionlog.client;

/**
 * One appended event: its id, its seq, whether it was stored before (a retry's duplicate), and the
 * receipt of the request that stored it (the chain at that request's highest seq, which covers this
 * event).
 */
public record AppendedEvent(String sessionId, String eventId, long seq, boolean duplicate, Receipt receipt) {}
