package dev.sessionlog.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.observe.Metrics.Metric;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

class ObservabilityTest {

    record Emission(String function, Map<Metric, Number> values) {
    }

    /** The JSON lines themselves are Quarkus' (the wire tests read each function's); these are the fields put in them. */
    @Test
    void anInvocationsFieldsOutliveEachRequestsAndTheTraceIdIsTheRoot() {
        MDC.clear();
        System.setProperty(Invocation.TRACE_HEADER_PROPERTY, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        try {
            MDC.put("AWSRequestId", "lambda-1"); // Quarkus' Lambda loop puts it
            Invocation.begin();
            RequestLog.start("req-1", "acme", "s1");
            RequestLog.put("seq", "4..5");
            assertEquals("1-5759e988-bd862e3fe1be46a994272793", MDC.get("xray_trace_id"));
            assertEquals("acme", MDC.get("tenant"));
            RequestLog.end();
            assertEquals(null, MDC.get("tenant"));
            assertEquals(null, MDC.get("seq"));
            assertEquals("lambda-1", MDC.get("AWSRequestId"), "the invocation's fields stay for its other lines");
            Invocation.begin();
            assertEquals("false", MDC.get("cold_start"), "only the first invocation of the process is cold");
        } finally {
            System.clearProperty(Invocation.TRACE_HEADER_PROPERTY);
            MDC.clear();
        }
        assertEquals(null, Invocation.traceId("Parent=53995c3f42cd8ad8"));
    }

    @Test
    void metricsAreEmbeddedMetricFormatLines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new EmfMetrics(new PrintStream(out, true, StandardCharsets.UTF_8), java.time.Clock.fixed(Instant.ofEpochMilli(1234), java.time.ZoneOffset.UTC))
                .emit("append", Map.of(Metric.EventsAppended, 3));
        JsonNode line = Json.parse(out.toString(StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8));
        JsonNode directive = line.get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals(1234, line.get("_aws").get("Timestamp").asLong());
        assertEquals("sessionlog", directive.get("Namespace").asText());
        assertEquals("Function", directive.get("Dimensions").get(0).get(0).asText());
        assertEquals("EventsAppended", directive.get("Metrics").get(0).get("Name").asText());
        assertEquals("Count", directive.get("Metrics").get(0).get("Unit").asText());
        assertEquals("append", line.get("Function").asText());
        assertEquals(3.0, line.get("EventsAppended").asDouble());
    }

    @Test
    void appendRecordAndArchiveEmitTheirMetrics() {
        List<Emission> emitted = new ArrayList<>();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
        Settings settings = AwsTestResource.settings();
        RecorderTestSupport t = new RecorderTestSupport(clock, settings, false, (f, v) -> emitted.add(new Emission(f, v)));
        String tenant = RecorderTestSupport.newTenant();
        ObjectNode body = Json.MAPPER.createObjectNode();
        for (int i = 0; i < 3; i++) {
            body.withArray("events").addObject().set("event", Json.MAPPER.createObjectNode().put("type", "Note").put("n", i));
        }
        assertEquals(201, t.api.post(tenant, "/v1/sessions/metrics/events", body).status());
        Emission append = emitted.get(0);
        assertEquals("append", append.function());
        assertEquals(3L, append.values().get(Metric.EventsAppended).longValue());
        assertTrue(append.values().get(Metric.AppendLatency).doubleValue() >= 0);

        clock.advance(Duration.ofSeconds(2));
        t.record(tenant, "metrics");
        Emission record = emitted.get(1);
        assertEquals("record", record.function());
        assertEquals(2000L, record.values().get(Metric.RecorderLag).longValue());
        assertEquals(0L, record.values().get(Metric.FoldErrors).longValue());

        clock.advance(Duration.ofDays(2));
        t.components.archiver().archive(new StreamKey(tenant, "metrics"), clock.instant().minus(Duration.ofHours(24)));
        t.components.archiver().run();
        Emission archive = emitted.get(emitted.size() - 1);
        assertEquals("archive", archive.function());
        assertTrue(archive.values().containsKey(Metric.EventsArchived));
        assertTrue(archive.values().containsKey(Metric.BytesArchived));
    }
}
