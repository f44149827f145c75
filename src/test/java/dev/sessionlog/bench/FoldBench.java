package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.recorder.AgentRunGenerator;
import dev.sessionlog.recorder.RecorderOptions;
import dev.sessionlog.recorder.SessionFold;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Issue 3's measure: how fast one core folds a realistic agent run into its materialized session,
 * decoding each event's JSON included, against plain Jackson parsing of the same bytes in the
 * same run. Single thread; the variants take turns within each round so that drift (JIT, GC,
 * frequency) hits them alike; the median of the rounds is reported.
 */
final class FoldBench {

    private final Benchmarks.Options options;
    /** Keeps the JIT from dropping work whose result is unused. */
    private long sink;

    FoldBench(Benchmarks.Options options) {
        this.options = options;
    }

    String run() {
        String sessionId = "bench-fold";
        Benchmarks.progress("fold: generating a run of %d loops", options.foldLoops());
        AgentRunGenerator.Run run = AgentRunGenerator.generate(AgentRunGenerator.Config.of(sessionId, options.foldLoops()));
        List<EventRecord> events = run.events();
        int n = events.size();
        byte[][] bytes = new byte[n][];
        long totalBytes = 0;
        for (int i = 0; i < n; i++) {
            try {
                bytes[i] = Json.MAPPER.writeValueAsBytes(events.get(i).event());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            totalBytes += bytes[i].length;
        }
        EventRecord[] parsed = events.toArray(EventRecord[]::new);
        ObjectMapper plain = new ObjectMapper();

        int rounds = options.foldWarmup() + options.foldIterations();
        double[] fold = new double[options.foldIterations()];
        double[] parse = new double[options.foldIterations()];
        double[] parsePlain = new double[options.foldIterations()];
        double[] foldOnly = new double[options.foldIterations()];
        double[] sessionJson = new double[options.foldIterations()];
        Benchmarks.progress("fold: %d events, %.1f MB of JSON; %d warm-up and %d measured rounds", n, totalBytes / 1e6,
                options.foldWarmup(), options.foldIterations());
        for (int round = 0; round < rounds; round++) {
            int m = round - options.foldWarmup();
            long t0 = System.nanoTime();
            SessionFold f = foldDecoding(sessionId, events, bytes);
            long t1 = System.nanoTime();
            parseAll(Json.MAPPER, bytes);
            long t2 = System.nanoTime();
            parseAll(plain, bytes);
            long t3 = System.nanoTime();
            SessionFold g = SessionFold.start(sessionId, RecorderOptions.defaults());
            for (EventRecord e : parsed) {
                g.apply(e);
            }
            long t4 = System.nanoTime();
            JsonNode session = f.toSessionJson();
            long t5 = System.nanoTime();
            sink += g.recordedThroughSeq() + session.size();
            if (m >= 0) {
                fold[m] = n / ((t1 - t0) / 1e9);
                parse[m] = n / ((t2 - t1) / 1e9);
                parsePlain[m] = n / ((t3 - t2) / 1e9);
                foldOnly[m] = n / ((t4 - t3) / 1e9);
                sessionJson[m] = (t5 - t4) / 1e6;
            }
        }
        SessionFold check = foldDecoding(sessionId, events, bytes);
        JsonNode s = check.toSessionJson();
        boolean clean = s.get("fold_error_count").asLong() == 0 && s.get("recorded_through_seq").asLong() == n;

        double foldMedian = median(fold);
        double parseMedian = median(parse);
        StringBuilder b = new StringBuilder();
        b.append("## Fold: events per second per core\n\n");
        b.append(String.format(Locale.ROOT, """
                A generated phi-core agent run (AgentRunGenerator, %d loops, seed 42): %,d events, %.1f MB of \
                event JSON (%,d bytes per event on average), %d parallel groups, %d sub-agent spawns, %,d streaming \
                updates. One thread; %d warm-up rounds, then %d measured rounds in which the variants take turns; \
                median (min–max) of the rounds. The fold of the run ends with %s.

                """, options.foldLoops(), n, totalBytes / 1e6, totalBytes / n, run.stats().parallelGroups(),
                run.stats().subAgentSpawns(), run.stats().streamingUpdates(), options.foldWarmup(), options.foldIterations(),
                clean ? "no fold errors and recorded_through_seq = " + n : "FOLD ERRORS (see the session JSON)"));
        Table t = new Table("What one core does per event", ">events/s (median)", ">min–max", ">MB/s of JSON", ">vs parsing alone");
        row(t, "parse bytes with Json.MAPPER + wrap in EventRecord + SessionFold.apply (the fold)", fold, totalBytes / (double) n, parseMedian);
        row(t, "parse bytes with Json.MAPPER (readTree) only — the baseline", parse, totalBytes / (double) n, parseMedian);
        row(t, "parse bytes with a default ObjectMapper (readTree) only", parsePlain, totalBytes / (double) n, parseMedian);
        row(t, "SessionFold.apply of already parsed records only", foldOnly, totalBytes / (double) n, parseMedian);
        b.append(t.render()).append('\n');
        double ratio = foldMedian / parseMedian;
        b.append(String.format(Locale.ROOT, """
                **Ratio fold / plain parsing: %.2f** (goal ≥ 0.5: %s). Materializing the session JSON of the whole run \
                afterwards (toSessionJson, %d loops) takes %.1f ms (median).

                """, ratio, ratio >= 0.5 ? "met" : "NOT met", check.loopCount(), median(sessionJson)));
        Benchmarks.progress("fold: %.0f events/s folding, %.0f events/s parsing, ratio %.2f (checksum %d)", foldMedian,
                parseMedian, ratio, sink);
        return b.toString();
    }

    private static SessionFold foldDecoding(String sessionId, List<EventRecord> events, byte[][] bytes) {
        SessionFold f = SessionFold.start(sessionId, RecorderOptions.defaults());
        for (int i = 0; i < bytes.length; i++) {
            EventRecord meta = events.get(i);
            JsonNode node = Json.parse(bytes[i]);
            f.apply(new EventRecord(meta.seq(), meta.eventId(), meta.parentEventId(), meta.recordedAt(), node));
        }
        return f;
    }

    private void parseAll(ObjectMapper mapper, byte[][] bytes) {
        long acc = 0;
        try {
            for (byte[] b : bytes) {
                acc += mapper.readTree(b).size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sink += acc;
    }

    private static void row(Table t, String what, double[] rates, double bytesPerEvent, double parseMedian) {
        double med = median(rates);
        t.row(what, Table.rate(med), Table.rate(min(rates)) + "–" + Table.rate(max(rates)),
                String.format(Locale.ROOT, "%.0f", med * bytesPerEvent / 1e6),
                String.format(Locale.ROOT, "%.2f", med / parseMedian));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
