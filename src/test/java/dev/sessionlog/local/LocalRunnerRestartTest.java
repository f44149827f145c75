package dev.sessionlog.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runner keeps its data between runs: stopped and started again on the same data
 * directory, it serves the same sessions, events (archived ones included) and archive.
 */
class LocalRunnerRestartTest {

    private static final String TENANT = "restart";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRestartedRunnerServesTheSameSessionsEventsAndArchive(@TempDir Path data) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "SESSIONLOG_API_PORT", "0", "SESSIONLOG_DYNAMODB_PORT", "0", "SESSIONLOG_S3_PORT", "0",
                "SESSIONLOG_DATA_DIR", data.toString(), "SESSIONLOG_STREAM_POLL_MILLIS", "100",
                "SESSIONLOG_SCHEDULE_SECONDS", "1", "ARCHIVE_HOT_WINDOW", "PT0S", "ARCHIVE_SEGMENT_MAX_EVENTS", "10"));
        LocalConfig config = LocalConfig.from(env);
        Map<String, JsonNode> before;
        try (LocalRunner first = LocalRunner.start(config)) {
            String api = "http://127.0.0.1:" + first.apiPort();
            for (String session : List.of("demo", "demo-researcher")) {
                HttpResponse<String> r = post(api + "/v1/sessions/" + session + "/events",
                        Files.readString(Path.of("examples", session + ".json")));
                assertEquals(201, r.statusCode(), r.body());
            }
            // Recorded and archived by the runner's own schedules, to the end: a snapshot taken while the
            // archiver is still at work would differ from the restarted runner's by the runs in between.
            JsonNode demo = await(api + "/v1/sessions/demo", s -> s.path("recorded_through_seq").asLong() == s.path("head_seq").asLong()
                    && s.path("archived_through_seq").asLong() == s.path("head_seq").asLong());
            await(api + "/v1/sessions/demo-researcher", s -> s.path("recorded_through_seq").asLong() == s.path("head_seq").asLong()
                    && s.path("archived_through_seq").asLong() == s.path("head_seq").asLong()
                    && s.path("parent_spawn_ref").path("tool_call_id").asText().length() > 0);
            assertTrue(demo.get("archived_through_seq").asLong() >= 10);
            before = snapshot(api);
        }
        assertTrue(Files.size(data.resolve("dynamodb").resolve("journal.jsonl")) > 0);
        try (LocalRunner second = LocalRunner.start(config)) {
            Map<String, JsonNode> after = snapshot("http://127.0.0.1:" + second.apiPort());
            for (String what : before.keySet()) {
                assertEquals(before.get(what), after.get(what), what + " reads the same after the restart");
            }
        }
    }

    /** What a user would look at: sessions, both sessions' materialized views and every event. */
    private Map<String, JsonNode> snapshot(String api) throws Exception {
        Map<String, JsonNode> views = new HashMap<>();
        views.put("list", get(api + "/v1/sessions"));
        for (String session : List.of("demo", "demo-researcher")) {
            views.put(session, get(api + "/v1/sessions/" + session));
            views.put(session + " events", get(api + "/v1/sessions/" + session + "/events?after_seq=0&limit=1000"));
            views.put(session + " head", get(api + "/v1/sessions/" + session + "/head"));
        }
        assertFalse(views.get("demo events").get("events").isEmpty());
        assertTrue(views.get("demo events").get("archived_through_seq").asLong() > 0, "part of it is read from the archive");
        return views;
    }

    private JsonNode await(String url, Predicate<JsonNode> done) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = http.send(request(url).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() == 200) {
                last = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not reached within 60 s: " + url + " " + last);
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(request(url).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), url + " " + r.body());
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(request(url).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("X-Tenant-Id", TENANT);
    }
}
