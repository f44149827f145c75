package dev.sessionlog.recorder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionlog.event.EventRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Loads the JSON fixtures of src/test/resources/recorder/ as the event records the fold reads. */
final class Fixtures {

    /** Every fixture with the session it belongs to (and, for one, keep_streaming_updates as well). */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> everyFixture() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("s-tool", "tool_loop.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-tool", "tool_loop.json", true),
                org.junit.jupiter.params.provider.Arguments.of("s-rej", "rejected_input.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-chain", "continuation_chain.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-parent", "subagent_parent.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-child", "subagent_child.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-par", "parallel_group.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-idle", "idle_session.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-mixed", "unknown_types.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-orphan", "unknown_loop.json", false),
                org.junit.jupiter.params.provider.Arguments.of("s-bad", "malformed.json", false));
    }

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** recordedAt of seq n is T0 + n s + 250 ms: close to the events' own clocks, but distinguishable. */
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private Fixtures() {
    }

    /** A fixture file (a JSON array of phi-core events) as records with seq 1..n. */
    static List<EventRecord> load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/recorder/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            JsonNode events = MAPPER.readTree(in);
            List<EventRecord> out = new ArrayList<>();
            for (JsonNode e : events) {
                out.add(record(out.size() + 1, e));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EventRecord record(long seq, JsonNode event) {
        return new EventRecord(seq, "e-" + seq, null, recordedAt(seq), event);
    }

    static Instant recordedAt(long seq) {
        return T0.plusSeconds(seq).plusMillis(250);
    }

    static SessionFold fold(String sessionId, List<EventRecord> events, RecorderOptions options) {
        SessionFold f = SessionFold.start(sessionId, options);
        f.applyAll(events);
        return f;
    }

    static SessionFold fold(String sessionId, String fixture) {
        return fold(sessionId, load(fixture), RecorderOptions.defaults());
    }

    static String json(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The loop of a session JSON with that id. */
    static JsonNode loop(JsonNode session, String loopId) {
        for (JsonNode l : session.get("loops")) {
            if (loopId.equals(l.get("loop_id").asText())) {
                return l;
            }
        }
        throw new AssertionError("no loop " + loopId + " in " + session.get("session_id"));
    }

    static List<Long> seqs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }

    static List<Long> range(long from, long toInclusive) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(i);
        }
        return out;
    }
}
