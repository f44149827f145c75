package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.event.Json;
import dev.sessionlog.testing.ApiClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Finding 10: the page cannot be framed or leak its URLs, and no JSON answer can be sniffed into a page. */
class SecurityHeadersTest {

    @Test
    void thePageRefusesFramesAndSendsNoReferrer() throws Exception {
        for (String path : new String[] {"/ui", "/ui/", "/ui/index.html", "/ui/app.js"}) {
            HttpApiEvent get = Json.MAPPER.treeToValue(ApiClient.event("GET", "t", path, null), HttpApiEvent.class);
            Map<String, String> headers = UiAssets.serve(get).headers;
            assertTrue(headers.get("content-security-policy").contains("frame-ancestors 'none'"), path + ": " + headers);
            assertEquals("DENY", headers.get("x-frame-options"), path);
            assertEquals("no-referrer", headers.get("referrer-policy"), path);
            assertEquals("nosniff", headers.get("x-content-type-options"), path);
        }
    }

    @Test
    void everyJsonAnswerSaysNosniff() {
        assertEquals("nosniff", HttpApiResponse.json(200, Map.of("events", "<script>")).headers.get("x-content-type-options"));
        assertEquals("nosniff", ErrorResponses.of(new ApiException(404, "not_found", "x"), "req").headers.get("x-content-type-options"));
    }
}
