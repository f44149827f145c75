package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.load;
import static dev.sessionlog.recorder.Fixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events of other vocabularies mixed into a phi-core session (unknown_types.json). */
class UnknownEventsTest {

    @Test
    void beforeAnyAgentStartTheSessionIsNotOpened() {
        JsonNode s = Fixtures.fold("s-mixed", load("unknown_types.json").subList(0, 2), RecorderOptions.defaults())
                .toSessionJson();
        assertTrue(s.get("agent_id").isNull());
        assertTrue(s.get("created_at").isNull());
        assertTrue(s.get("formation").isNull());
        assertEquals(0, s.get("loops").size());
        assertEquals("completed", s.get("status").asText());
        assertEquals(2, s.get("recorded_through_seq").asLong());
        // No AgentStart yet: phi-core has no last_active_at; the server saw event 2 last, at 10:00:02.250Z.
        assertTrue(s.get("last_active_at").isNull());
        assertEquals("2026-11-21T10:00:02.250Z", s.get("last_event_at").asText());
        assertEquals(0, s.get("fold_errors").size());
    }

    @Test
    void unknownTypesOnlyMoveLastEventAt() {
        JsonNode s = Fixtures.fold("s-mixed", "unknown_types.json").toSessionJson();
        assertEquals("2026-11-21T10:00:03Z", s.get("created_at").asText());
        assertEquals(1, s.get("loops").size());
        JsonNode loop = s.get("loops").get(0);
        // MemoryRecall (seq 4) names the loop but is not phi-core's: it is not part of the loop.
        assertEquals(List.of(3L, 5L, 7L, 8L), Fixtures.seqs(loop.get("event_seqs")));
        assertEquals(1, loop.get("turns").size());
        assertEquals("Completed", loop.get("status").asText());
        // last_active_at is the AgentStart's timestamp, whatever later events say; last_event_at is the
        // server's clock of the last event folded.
        assertEquals("2026-11-21T10:00:03Z", s.get("last_active_at").asText());
        assertEquals(Fixtures.recordedAt(9).toString(), s.get("last_event_at").asText());
        assertEquals(0, s.get("fold_errors").size(), "an unreadable timestamp of an unknown type is no error");
        assertEquals(9, s.get("recorded_through_seq").asLong());
    }

    @Test
    void anEventThatIsNoObjectIsJustActivity() {
        SessionFold f = SessionFold.start("s-mixed", RecorderOptions.defaults());
        f.apply(record(1, JsonNodeFactory.instance.textNode("not an object")));
        f.apply(record(2, JsonNodeFactory.instance.objectNode().put("type", 7)));
        assertEquals(null, f.lastActiveAt());
        assertEquals(Fixtures.recordedAt(2), f.lastEventAt());
        assertEquals(0, f.toSessionJson().get("fold_errors").size());
        assertEquals(2, f.recordedThroughSeq());
    }
}
