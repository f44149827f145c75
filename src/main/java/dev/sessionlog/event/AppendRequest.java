package dev.sessionlog.event;

import java.util.List;
import java.util.OptionalLong;

/** A validated append: the events in order and the writer's optional expected head. */
public record AppendRequest(List<NewEvent> events, OptionalLong expectedSeq) {

    public AppendRequest {
        events = List.copyOf(events);
    }
}
