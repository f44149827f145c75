package dev.sessionlog.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** An event whose parent is the asked event, with the session it is in. */
public record ChildRecord(
    String sessionId,
    long seq,
    String eventId,
    String parentEventId,
    String parentSessionId,
    Instant recordedAt,
    String chain,
    ObjectNode event) {}
