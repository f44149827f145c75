package dev.sessionlog.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** examples/ is what the README replays: it must append and materialize as it says. */
class ExamplesTest {

    final RecorderTestSupport t = new RecorderTestSupport();

    @Test
    void theExampleAgentRunMaterializesWithEveryFeatureItShows() throws Exception {
        String tenant = RecorderTestSupport.newTenant();
        for (String session : List.of("demo", "demo-researcher")) {
            String body = Files.readString(Path.of("examples", session + ".json"));
            assertEquals(201, t.api.post(tenant, "/v1/sessions/" + session + "/events", body).status());
            assertEquals(List.of(), t.components.streamRecorder().record(t.records(tenant, session)));
        }
        JsonNode demo = t.session(tenant, "demo");
        List<String> statuses = new ArrayList<>();
        demo.get("loops").forEach(l -> statuses.add(l.get("status").asText()));
        assertTrue(demo.get("loops").size() >= 6, "loops: " + demo.get("loops").size());
        assertTrue(statuses.contains("Rejected"), statuses::toString);
        assertTrue(statuses.contains("Completed"));
        assertEquals(List.of(), iterable(demo.get("fold_errors")));
        assertTrue(demo.toString().contains("\"is_selected\":true"), "a parallel group with a selected branch");
        assertTrue(demo.toString().contains("\"child_session_id\":\"demo-researcher\""));
        JsonNode researcher = t.session(tenant, "demo-researcher");
        assertEquals("demo", researcher.get("parent_spawn_ref").get("parent_session_id").asText());
        assertEquals("toolu_spawn_1", researcher.get("parent_spawn_ref").get("tool_call_id").asText());
        assertEquals("researcher", researcher.get("parent_spawn_ref").get("tool_name").asText());
        var children = t.api.get(tenant, "/v1/sessions/demo/events/"
                + Json.parse(Files.readAllBytes(Path.of("examples", "demo-researcher.json"))).get("events").get(0).get("parent_event_id").asText()
                + "/children").body().get("children");
        assertEquals("demo-researcher", children.get(children.size() - 1).get("session_id").asText());
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
