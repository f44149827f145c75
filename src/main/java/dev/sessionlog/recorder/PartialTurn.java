package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A turn between its TurnStart and TurnEnd: recorder.rs's PartialTurn, kept as a mutable builder. */
final class PartialTurn {

    final long turnIndex;
    final JsonNode triggeredBy;
    final Instant startedAt;
    /** Non-assistant MessageEnd messages seen since TurnStart. */
    final List<JsonNode> inputMessages;

    PartialTurn(long turnIndex, JsonNode triggeredBy, Instant startedAt, List<JsonNode> inputMessages) {
        this.turnIndex = turnIndex;
        this.triggeredBy = triggeredBy;
        this.startedAt = startedAt;
        this.inputMessages = inputMessages;
    }

    static PartialTurn start(long turnIndex, JsonNode triggeredBy, Instant startedAt) {
        return new PartialTurn(turnIndex, triggeredBy, startedAt, new ArrayList<>(2));
    }
}
