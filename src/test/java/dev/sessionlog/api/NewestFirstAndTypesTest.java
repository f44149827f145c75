package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * order=desc and types= over a session whose older half is archived (objects of 50 events): every
 * page is served across the boundary as if the session lived in one place.
 */
class NewestFirstAndTypesTest {

    static final Instant OLD = Instant.parse("2026-11-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final String[] TYPES = {"Note", "TurnEnd", "ToolExecutionEnd", "Other", "Note"};
    static final int EVENTS = 600;
    static final int ARCHIVED = 350;

    static MutableClock clock = new MutableClock(OLD);
    static RecorderTestSupport t;
    static String tenant;
    static final String SESSION = "long-one";
    static List<JsonNode> all;

    @BeforeAll
    static void aSessionHalfArchived() {
        Settings settings = AwsTestResource.settings().withArchive(ArchiveSettings.defaults().withSegmentMaxEvents(50));
        t = new RecorderTestSupport(clock, settings);
        tenant = RecorderTestSupport.newTenant();
        appendNumbered(SESSION, 1, ARCHIVED);
        clock.set(NOW);
        appendNumbered(SESSION, ARCHIVED + 1, EVENTS);
        t.record(tenant, SESSION); // what puts it on the archive's due index
        t.components.archiver().archive(new StreamKey(tenant, SESSION), NOW.minus(Duration.ofHours(24)));
        all = t.readAll(tenant, SESSION, 1000);
        assertEquals(EVENTS, all.size());
        assertEquals(ARCHIVED, t.api.get(tenant, "/v1/sessions/" + SESSION + "/events?limit=1").body().get("archived_through_seq").asLong());
    }

    static void appendNumbered(String session, int from, int to) {
        for (int start = from; start <= to; start += 100) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            for (int n = start; n <= Math.min(to, start + 99); n++) {
                body.withArray("events").addObject().put("event_id", "e-" + n)
                        .putObject("event").put("type", TYPES[n % TYPES.length]).put("n", n);
            }
            assertEquals(201, t.api.post(tenant, "/v1/sessions/" + session + "/events", body).status());
        }
    }

    /** Follows the cursor of a read from the first page to the last; returns every record served. */
    static List<JsonNode> follow(String session, String query, boolean descending) {
        List<JsonNode> served = new ArrayList<>();
        String cursor = descending ? "next_before_seq" : "next_after_seq";
        String position = "";
        for (int pages = 0; pages < 10_000; pages++) {
            ApiClient.Response r = t.api.get(tenant, "/v1/sessions/" + session + "/events?" + query + position);
            assertEquals(200, r.status(), r.body()::toString);
            r.body().get("events").forEach(served::add);
            if (r.body().get(cursor).isNull()) {
                return served;
            }
            position = (descending ? "&before_seq=" : "&after_seq=") + r.body().get(cursor).asLong();
        }
        throw new AssertionError("the cursor never ended");
    }

    @Test
    void descPagingServesEverySeqOnceNewestFirst() {
        List<JsonNode> desc = follow(SESSION, "order=desc&limit=37", true);
        assertEquals(EVENTS, desc.size());
        for (int i = 0; i < desc.size(); i++) {
            assertEquals(all.get(EVENTS - 1 - i), desc.get(i), "record " + i + " newest first, as the ascending read has it");
        }
    }

    @Test
    void typesServeExactlyThoseEventsInOrderAcrossTheBoundary() {
        List<JsonNode> expected = all.stream()
                .filter(r -> Set.of("TurnEnd", "ToolExecutionEnd").contains(r.path("event").path("type").asText())).toList();
        assertEquals(expected, follow(SESSION, "types=TurnEnd,ToolExecutionEnd&limit=25", false));
        List<JsonNode> reversed = new ArrayList<>(expected);
        java.util.Collections.reverse(reversed);
        assertEquals(reversed, follow(SESSION, "order=desc&types=TurnEnd,ToolExecutionEnd&limit=25", true));
        assertEquals(List.of(), follow(SESSION, "types=NeverWritten&limit=100", false));
    }

    @Test
    void theLastTenAreOneRequest() {
        JsonNode page = t.api.get(tenant, "/v1/sessions/" + SESSION + "/events?order=desc&limit=10").body();
        List<Long> seqs = new ArrayList<>();
        page.get("events").forEach(e -> seqs.add(e.get("seq").asLong()));
        assertEquals(List.of(600L, 599L, 598L, 597L, 596L, 595L, 594L, 593L, 592L, 591L), seqs);
        assertEquals(591, page.get("next_before_seq").asLong());
        // and the oldest ten, from the archive
        JsonNode oldest = t.api.get(tenant, "/v1/sessions/" + SESSION + "/events?order=desc&limit=10&before_seq=11").body();
        assertEquals(10, oldest.get("events").size());
        assertEquals(1, oldest.get("events").get(9).get("seq").asLong());
        assertTrue(oldest.get("next_before_seq").isNull(), "seq 1 is served: the cursor ends");
    }

    @Test
    void theLastTenCostTheSameStoreCallsAt100AndAt600Events() {
        String shortOne = "short-one";
        appendNumbered(shortOne, 1, 100);
        AwsCalls.reset();
        assertEquals(200, t.api.get(tenant, "/v1/sessions/" + shortOne + "/events?order=desc&limit=10").status());
        Map<String, Long> shortCalls = AwsCalls.countByOperation("DynamoDb");
        AwsCalls.reset();
        assertEquals(200, t.api.get(tenant, "/v1/sessions/" + SESSION + "/events?order=desc&limit=10").status());
        assertEquals(shortCalls, AwsCalls.countByOperation("DynamoDb"));
        assertEquals(Map.of(), AwsCalls.countByOperation("S3"), "the newest ten are hot: no archive object is read");
    }

    @Test
    void badOrderAndTypesAreNamed() {
        String base = "/v1/sessions/" + SESSION + "/events?";
        assertInvalid(base + "order=newest", "order");
        assertInvalid(base + "order=desc&after_seq=3", "after_seq");
        assertInvalid(base + "before_seq=3", "before_seq");
        assertInvalid(base + "order=desc&before_seq=0", "before_seq");
        assertInvalid(base + "types=", "types");
        assertInvalid(base + "types=A,,B", "types");
        assertInvalid(base + "types=" + "A,".repeat(20) + "B", "types");
        assertInvalid(base + "types=" + "x".repeat(257), "types");
    }

    private static void assertInvalid(String path, String field) {
        ApiClient.Response r = t.api.get(tenant, path);
        assertEquals(400, r.status(), path);
        assertTrue(r.error().get("message").asText().contains(field), () -> path + ": " + r.body());
    }
}
