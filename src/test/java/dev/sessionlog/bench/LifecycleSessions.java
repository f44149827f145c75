package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.StreamRecord;
import dev.sessionlog.testing.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * The lifecycle section's sessions, made unmeasured: generated runs appended through the product's
 * log in requests of 100 (part "long ago", part "now" on the bench's clock), folded by the recorder,
 * archived, forked through the API. Keeps the time setup took, which the report states.
 */
final class LifecycleSessions {

    static final String TENANT = "bench";
    static final Instant LONG_AGO = Instant.parse("2026-11-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final Instant ARCHIVE_CUTOFF = NOW.minus(Duration.ofHours(24));
    /** Random JSON this large stays above 64 KiB gzip: the body goes to S3. */
    static final int LARGE_BODY_BYTES = 100_000;

    private final BenchStack stack;
    final ApiClient api;
    private final SplittableRandom random = new SplittableRandom(11);

    LifecycleSessions(BenchStack stack) {
        this.stack = stack;
        this.api = new ApiClient(stack.components.appendHandler(), stack.components.queryHandler());
    }

    /** A session of {@code old} events recorded long ago, then {@code hot} recorded now; nothing read back. */
    BenchStack.Session grow(String id, int old, int hot) {
        BenchStack.Session s = stack.new Session(TENANT, id, old + hot);
        stack.clock.set(LONG_AGO);
        append(s, s.next(old));
        stack.clock.set(NOW);
        append(s, s.next(hot));
        return s;
    }

    /** Appends these events with server ids in requests of 100 (the clock says when). */
    void append(BenchStack.Session s, List<JsonNode> events) {
        for (int from = 0; from < events.size(); from += 100) {
            List<NewEvent> batch = new ArrayList<>();
            for (JsonNode e : events.subList(from, Math.min(events.size(), from + 100))) {
                batch.add(new NewEvent(null, null, e, Json.bytes(e)));
            }
            AppendResult r = stack.components.eventLog().append(s.key, new AppendRequest(batch, OptionalLong.empty()));
            if (r.headSeq() != s.head + batch.size()) {
                throw new IllegalStateException(s.key.sessionId() + " ended at " + r.headSeq() + ", expected " + (s.head + batch.size()));
            }
            s.head = r.headSeq();
        }
    }

    /** Events whose bodies go to S3 (random text stays above 64 KiB gzip), recorded now. */
    void appendLargeBodies(BenchStack.Session s, int count) {
        stack.clock.set(NOW);
        List<JsonNode> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] raw = new byte[LARGE_BODY_BYTES * 3 / 4];
            random.nextBytes(raw);
            ObjectNode e = JsonNodeFactory.instance.objectNode();
            e.put("type", "ToolExecutionEnd").put("loop_id", "bench.large." + i).put("tool_call_id", "toolu_large_" + i)
                    .put("tool_name", "read_file");
            e.putObject("result").putArray("content").addObject().put("type", "text")
                    .put("text", Base64.getEncoder().encodeToString(raw));
            events.add(e);
        }
        append(s, events);
    }

    /** Folds the whole session (what puts it on the archive's due index), in stream batches of 10,000. */
    void record(BenchStack.Session s) {
        List<StreamRecord> records = stack.records(s.key, 0);
        for (int i = 0; i < records.size(); i += 10_000) {
            List<String> failed = stack.components.streamRecorder().record(records.subList(i, Math.min(records.size(), i + 10_000)));
            if (!failed.isEmpty()) {
                throw new IllegalStateException("recording " + s.key.sessionId() + " failed for " + failed.size() + " records");
            }
        }
    }

    /** Archives what was recorded long ago; checks that exactly that much went to S3. */
    void archive(BenchStack.Session s, long expectedWatermark) {
        stack.clock.set(NOW);
        stack.components.archiver().archive(s.key, ARCHIVE_CUTOFF);
        long watermark = stack.components.eventLog().archivedThrough(s.key);
        if (watermark != expectedWatermark) {
            throw new IllegalStateException(s.key.sessionId() + " archived through " + watermark + ", expected " + expectedWatermark);
        }
    }

    /** POST /v1/sessions/{source}/fork, answered 201. */
    ApiClient.Response fork(StreamKey source, String newId, Long atSeq) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("new_session_id", newId);
        if (atSeq != null) {
            body.put("at_seq", atSeq);
        }
        ApiClient.Response r = api.post(TENANT, "/v1/sessions/" + source.sessionId() + "/fork", body);
        if (r.status() != 201) {
            throw new IllegalStateException("fork " + newId + " answered " + r.status() + " " + r.body());
        }
        return r;
    }

    /** Every seq 1..head read back once, in order, through the product's log: the session reads whole. */
    void checkReadable(StreamKey key, long head) {
        long next = 1;
        while (next <= head) {
            var page = stack.components.eventLog().read(key, next - 1, 1000);
            if (page.isEmpty()) {
                throw new IllegalStateException(key.sessionId() + ": nothing readable after " + (next - 1));
            }
            for (var r : page) {
                if (r.seq() != next) {
                    throw new IllegalStateException(key.sessionId() + ": read seq " + r.seq() + ", expected " + next);
                }
                next++;
            }
        }
    }

    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
