package dev.sessionlog.recorder;

import static dev.sessionlog.recorder.Fixtures.json;
import static dev.sessionlog.recorder.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * A sub-agent spawned by a tool call runs in its own session (subagent_parent.json, subagent_child.json):
 * the child knows its parent loop, the parent knows the tool call, and SpawnLinks joins the two.
 */
class SubAgentSpawnTest {

    private static final String PARENT_LOOP = "s-parent.anthropic-opus.0";
    private static final String CHILD_LOOP = "s-child.anthropic-haiku.0";

    private final JsonNode parent = Fixtures.fold("s-parent", "subagent_parent.json").toSessionJson();
    private final JsonNode child = Fixtures.fold("s-child", "subagent_child.json").toSessionJson();

    @Test
    void childSessionRecordsItsSpawnRefFromAgentStart() {
        assertEquals("{\"parent_session_id\":\"s-parent\",\"parent_loop_id\":\"" + PARENT_LOOP
                + "\",\"tool_call_id\":\"\",\"tool_name\":\"\"}", json(child.get("parent_spawn_ref")));
        JsonNode loop = Fixtures.loop(child, CHILD_LOOP);
        assertEquals(PARENT_LOOP, loop.get("parent_loop_id").asText());
        assertTrue(loop.get("continuation_kind").isNull());
        assertEquals("SubAgent", loop.get("turns").get(0).get("triggered_by").asText());
        assertEquals("anthropic-haiku", loop.get("config").get("config_id").asText());
        assertEquals(0, child.get("fold_errors").size(), "a parent loop in another session is not an unknown loop");
    }

    @Test
    void parentLoopRecordsTheChildLoopRef() {
        JsonNode loop = Fixtures.loop(parent, PARENT_LOOP);
        assertEquals("[{\"tool_call_id\":\"toolu_spawn_1\",\"tool_name\":\"researcher\",\"child_loop_id\":\"" + CHILD_LOOP
                + "\",\"child_session_id\":\"s-child\"}]", json(loop.get("child_loop_refs")));
        assertEquals(0, loop.get("children_loop_ids").size(), "cross-session children are refs, not children");
        assertTrue(parent.get("parent_spawn_ref").isNull());
        assertEquals(Fixtures.range(1, 13), Fixtures.seqs(loop.get("event_seqs")), "ProgressMessage included");
        assertEquals(980, loop.get("usage").get("total_tokens").asLong());
        assertEquals("claude-opus-4-1", loop.get("config").get("model").asText());
    }

    @Test
    void enrichFillsToolCallIdAndToolNameFromTheParent() {
        String before = json(child);
        JsonNode enriched = SpawnLinks.enrich(child, parent);
        assertNotSame(child, enriched);
        assertEquals("{\"parent_session_id\":\"s-parent\",\"parent_loop_id\":\"" + PARENT_LOOP
                + "\",\"tool_call_id\":\"toolu_spawn_1\",\"tool_name\":\"researcher\"}",
                json(enriched.get("parent_spawn_ref")));
        assertEquals(before, json(child), "the input is not changed");
        ObjectNode rest = ((ObjectNode) enriched).deepCopy();
        rest.set("parent_spawn_ref", child.get("parent_spawn_ref"));
        assertEquals(before, json(rest), "nothing but the spawn ref differs");
    }

    @Test
    void enrichLeavesTheChildAloneWhenThereIsNothingToJoin() {
        JsonNode unrelated = Fixtures.fold("s-tool", "tool_loop.json").toSessionJson();
        assertSame(child, SpawnLinks.enrich(child, unrelated), "not the parent session");
        assertSame(parent, SpawnLinks.enrich(parent, child), "no spawn ref to enrich");
        JsonNode enriched = SpawnLinks.enrich(child, parent);
        assertSame(enriched, SpawnLinks.enrich(enriched, parent), "already enriched");
        JsonNode parentSoFar = Fixtures.fold("s-parent", Fixtures.load("subagent_parent.json").subList(0, 6),
                RecorderOptions.defaults()).toSessionJson();
        assertSame(child, SpawnLinks.enrich(child, parentSoFar), "the parent's ToolExecutionEnd is not folded yet");
    }

    @Test
    void enrichFallsBackToAnotherLoopOfTheParentThatSpawnedTheChild() {
        // The spawn ref names loop .0, but the ToolExecutionEnd naming the child is in loop .1 (as recorder.rs,
        // the ref found also decides parent_loop_id).
        JsonNode parentSession = parse("{\"session_id\":\"s-parent\",\"loops\":["
                + "{\"loop_id\":\"s-parent.m.0\",\"child_loop_refs\":[]},"
                + "{\"loop_id\":\"s-parent.m.1\",\"child_loop_refs\":[{\"tool_call_id\":\"toolu_7\",\"tool_name\":\"delegate\","
                + "\"child_loop_id\":\"s-child.m.0\",\"child_session_id\":\"s-child\"}]}]}");
        JsonNode childSession = parse("{\"session_id\":\"s-child\",\"parent_spawn_ref\":{\"parent_session_id\":\"s-parent\","
                + "\"parent_loop_id\":\"s-parent.m.0\",\"tool_call_id\":\"\",\"tool_name\":\"\"},"
                + "\"loops\":[{\"loop_id\":\"s-child.m.0\"}]}");
        assertEquals("{\"parent_session_id\":\"s-parent\",\"parent_loop_id\":\"s-parent.m.1\",\"tool_call_id\":\"toolu_7\","
                + "\"tool_name\":\"delegate\"}", json(SpawnLinks.enrich(childSession, parentSession).get("parent_spawn_ref")));
    }
}
