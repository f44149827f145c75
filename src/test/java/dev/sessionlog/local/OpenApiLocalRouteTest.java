package dev.sessionlog.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.StreamEventHandler;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.OpenApiSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The local runner's own route, marked x-sessionlog-local-only in openapi.yaml, answers as documented there. */
class OpenApiLocalRouteTest {

    @Test
    void theRebuildRouteAnswersAsDocumented() throws Exception {
        OpenApiSpec spec = OpenApiSpec.load();
        OpenApiSpec.Operation op = spec.operation("POST", "/_local/rebuild/{session_id}");
        assertTrue(op.localOnly());
        RecorderTestSupport t = new RecorderTestSupport();
        String tenant = RecorderTestSupport.newTenant();
        t.append(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json").subList(0, 3));
        HttpClient http = HttpClient.newHttpClient();
        try (LocalGateway gateway = new LocalGateway(0, t.components.appendHandler(), t.components.queryHandler(),
                t.components.streamEventHandler(), "tenant_id")) {
            for (String session : List.of("s-tool", "s-nothing")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                        + "/_local/rebuild/" + session)).header("X-Tenant-Id", tenant).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
                JsonNode body = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
                assertEquals(List.of(), spec.validate(spec.response(op, 200) + "/content/application~1json/schema", body), r.body());
                assertEquals(session.equals("s-tool") ? 3 : 0, body.path("rebuilt").path("recorded_through_seq").asLong());
            }
        }
    }
}
