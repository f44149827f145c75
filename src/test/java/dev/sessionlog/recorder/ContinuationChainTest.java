package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loops continuing each other in one session: Default, Rerun and a still-running Branch (continuation_chain.json). */
class ContinuationChainTest {

    private static final String L0 = "s-chain.anthropic-sonnet.0";
    private static final String L1 = "s-chain.anthropic-sonnet.1";
    private static final String L2 = "s-chain.anthropic-sonnet.2";
    private static final String L3 = "s-chain.anthropic-sonnet.3";

    @Test
    void parentsListTheirEndedChildren() {
        JsonNode s = Fixtures.fold("s-chain", "continuation_chain.json").toSessionJson();
        assertEquals(List.of(L0, L1, L2, L3), loopIds(s), "loops in start order");
        assertEquals("[\"" + L1 + "\"]", json(Fixtures.loop(s, L0).get("children_loop_ids")));
        // L3 is still running: recorder.rs links a child when it ends.
        assertEquals("[\"" + L2 + "\"]", json(Fixtures.loop(s, L1).get("children_loop_ids")));
        assertEquals("[]", json(Fixtures.loop(s, L2).get("children_loop_ids")));
        assertEquals(L1, Fixtures.loop(s, L3).get("parent_loop_id").asText());
        assertTrue(s.get("parent_spawn_ref").isNull(), "same-session parents are no spawn");
    }

    @Test
    void continuationKindsAndTriggersAreKept() {
        JsonNode s = Fixtures.fold("s-chain", "continuation_chain.json").toSessionJson();
        assertEquals("\"Default\"", json(Fixtures.loop(s, L1).get("continuation_kind")));
        assertEquals("{\"Rerun\":{\"tag\":\"2026-11-21T10:02:00Z\"}}", json(Fixtures.loop(s, L2).get("continuation_kind")));
        assertEquals("{\"Branch\":{\"tag\":\"2026-11-21T10:03:00Z\"}}", json(Fixtures.loop(s, L3).get("continuation_kind")));
        assertEquals("Continuation", Fixtures.loop(s, L1).get("turns").get(0).get("triggered_by").asText());
        assertEquals("rate limited", Fixtures.loop(s, L2).get("metadata").get("reason").asText());
        assertEquals(0, Fixtures.loop(s, L3).get("turns").size(), "its turn has not ended");
        assertEquals(42 + 70 + 74, s.get("usage").get("total_tokens").asLong());
    }

    @Test
    void sessionIsActiveUntilTheLastLoopIsAborted() {
        SessionFold f = Fixtures.fold("s-chain", "continuation_chain.json");
        assertTrue(f.hasOpenLoops());
        assertEquals("active", f.toSessionJson().get("status").asText());
        f.abortOpenLoops(Instant.parse("2026-11-21T11:00:00Z"));
        JsonNode s = f.toSessionJson();
        assertFalse(f.hasOpenLoops());
        assertEquals("completed", s.get("status").asText());
        assertEquals("Aborted", Fixtures.loop(s, L3).get("status").asText());
        assertEquals("2026-11-21T11:00:00Z", Fixtures.loop(s, L3).get("ended_at").asText());
        // recorder.rs's flush does not link aborted children either.
        assertEquals("[\"" + L2 + "\"]", json(Fixtures.loop(s, L1).get("children_loop_ids")));
    }

    private static List<String> loopIds(JsonNode session) {
        List<String> ids = new ArrayList<>();
        session.get("loops").forEach(l -> ids.add(l.get("loop_id").asText()));
        return ids;
    }
}
