package dev.sessionlog.log;

/** The outcome of one event of an append: its seq, and whether an earlier request had stored it. */
public record AppendedEvent(String eventId, long seq, boolean duplicate) {
}
