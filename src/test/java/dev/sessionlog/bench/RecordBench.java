package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.AgentRunGenerator;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.sessions.SessionItems;
import dev.sessionlog.sessions.SessionStore;
import dev.sessionlog.sessions.StreamRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The recorder's cost per stream batch: DynamoDB and S3 calls by operation, the capacity AWS would
 * charge (CapacityModel, per table) and records folded per second, for batches spread over 1 to 100
 * sessions, a session catching up a gap from the log, sessions of growing length (up to one whose
 * state lives in S3) and events whose body is in S3. Runs the product's StreamRecorder
 * (Components.streamRecorder()) on stream records made from the table's own items, as
 * RecorderTestSupport does, against moto (DynamoDB, a Python child process started through the
 * project's launcher) and S3Proxy in this JVM.
 */
final class RecordBench {

    private static final String TENANT = "bench";
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    private final Benchmarks.Options options;
    private final SplittableRandom random = new SplittableRandom(17);
    private BenchStack stack;
    private int sessionCounter;
    /** Every measured batch that folds: did it read and write each session's state once, with 3 calls per session (5 on a first save)? */
    private int batchesChecked;
    private final List<String> stateMissed = new ArrayList<>();
    private final List<String> callsMissed = new ArrayList<>();

    RecordBench(Benchmarks.Options options) {
        this.options = options;
    }

    String run() throws Exception {
        Benchmarks.progress("record: starting moto (the project's launcher, a Python child process) and S3Proxy");
        stack = BenchStack.start(NOW, s -> s);
        try {
            StringBuilder out = new StringBuilder("## Recorder: DynamoDB calls per stream batch\n\n");
            out.append(setupText());
            warmUp();
            out.append(spread());
            out.append(specialCases());
            out.append(sessionLength());
            out.append(String.format(Locale.ROOT, """
                    **Goal "each session's state is read once and written once per batch (2 DynamoDB calls per \
                    session: GetItem state, PutItem state; a session's first save three more: a Query of its head, \
                    to see that it is not being erased or erased, a GetItem of its archive item, to start a fork \
                    from its link, and the UpdateItem of that item that puts the session on the archive's due \
                    index, which later batches make only when the session cannot be due already, half a hot \
                    window after its newest marked event)"**, checked on every measured batch that folds something \
                    (%d batches). State read once and written once per session: %s. Exactly 2 DynamoDB calls per \
                    session (5 on a first save): %s.

                    """, batchesChecked,
                    stateMissed.isEmpty() ? "**held in all of them**" : "**missed in " + stateMissed.size() + "**: "
                            + String.join("; ", stateMissed),
                    callsMissed.isEmpty() ? "in all of them" : "in all but " + callsMissed.size() + ": "
                            + String.join("; ", callsMissed)));
            return out.toString();
        } finally {
            stack.close();
        }
    }

    private String setupText() {
        return """
                Setup: moto for DynamoDB (a Python child process started through the project's launcher, one request \
                at a time) and S3Proxy in this JVM, both tables created from template.yaml, the product's \
                StreamRecorder from Components (SessionStore, SeamlessEventLog, ArchiveMeta, S3PayloadStore). Every \
                session gets a generated phi-core run of its own (AgentRunGenerator, seed 42, its own session id), \
                appended through the product's EventLog (requests of at most 100 events, server ids); the batch is \
                made of the stream records of the new items, read back from the table (INSERT, NEW_IMAGE = the \
                whole item, as RecorderTestSupport makes them), sessions interleaved round-robin as shards would \
                deliver them. Only `StreamRecorder.record(batch)` is measured. Calls are counted by BenchCalls on the \
                product's clients; RCU/WCU are **computed** by CapacityModel per table (the rules of the append \
                section, plus: a write that replaces an item is billed on the larger of the old and new item; an index \
                entry whose key changes costs a delete and a put, one that stays the same costs nothing; an \
                UpdateItem is priced from the item read before and after it, with reads kept out of the timing). \
                "ms" is the batch's wall time, in brackets the part spent inside AWS calls; records/s = records / \
                wall time, on moto. The recorder folds up to 8 sessions at once, but moto serves one request at a \
                time, so their calls queue there.

                """;
    }

    private BenchStack.Session newSession(String name, int events) {
        return stack.new Session(TENANT, name + "-" + (++sessionCounter), events);
    }

    private void warmUp() {
        Benchmarks.progress("record: warming up");
        BenchStack.Session s = newSession("warmup", options.quick() ? 300 : 1200);
        int step = options.quick() ? 50 : 100;
        while (s.cursor + step <= s.run.size()) {
            List<StreamRecord> batch = s.append(step);
            record(batch, 1, null);
        }
    }

    /** Measures one batch; checks that nothing failed and, when {@code goal} names it, the per-session goal. */
    private BenchStack.Measured record(List<StreamRecord> batch, int sessions, String goal) {
        return record(batch, sessions, goal, false);
    }

    /** @param firstSave whether no session of the batch is stored yet (its first save checks for an erasure again) */
    private BenchStack.Measured record(List<StreamRecord> batch, int sessions, String goal, boolean firstSave) {
        BenchStack.Measured m = stack.measure(() -> stack.components.streamRecorder().record(batch), failed -> {
            if (!failed.isEmpty()) {
                throw new IllegalStateException("the recorder failed " + failed.size() + " records of the batch");
            }
        });
        if (goal != null) {
            batchesChecked++;
            long reads = m.count("GetItem", stack.sessionsTable, false);
            long writes = m.count("PutItem", stack.sessionsTable, false);
            String what = String.format(Locale.ROOT, "%s (%d sessions: %d state reads, %d state writes, %d DynamoDB calls: %s)",
                    goal, sessions, reads, writes, m.dynamoCalls(), BenchCalls.breakdown(m.calls()));
            if (reads != sessions || writes != sessions) {
                stateMissed.add(what);
            }
            if (m.dynamoCalls() != (firstSave ? 5L : 2L) * sessions) {
                callsMissed.add(what);
            }
        }
        return m;
    }

    private static List<StreamRecord> interleave(List<List<StreamRecord>> perSession) {
        List<StreamRecord> batch = new ArrayList<>();
        int max = perSession.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < max; i++) {
            for (List<StreamRecord> one : perSession) {
                if (i < one.size()) {
                    batch.add(one.get(i));
                }
            }
        }
        return batch;
    }

    private void checkFolded(List<BenchStack.Session> sessions) {
        for (BenchStack.Session s : sessions) {
            SessionStore.Stored stored = stack.components.sessionStore().load(s.key)
                    .orElseThrow(() -> new IllegalStateException("no state for " + s.key.sessionId()));
            if (stored.fold().recordedThroughSeq() != s.head) {
                throw new IllegalStateException(s.key.sessionId() + " recorded through " + stored.fold().recordedThroughSeq()
                        + ", head " + s.head);
            }
        }
    }

    // ---- A: batches over 1, 10, 100 sessions --------------------------------------------------------

    private String spread() {
        int[] sizes = options.quick() ? new int[] {100} : new int[] {100, 500};
        int[] spreads = {1, 10, 100};
        int rounds = options.quick() ? 2 : 3;
        Table t = new Table(">records", ">sessions", "batch", ">DynamoDB calls", ">per session", "calls by operation",
                ">S3 calls", ">RCU", ">WCU sessions table (table + index)", ">WCU events table (table + index)",
                ">ms (in calls)", ">records/s");
        for (int size : sizes) {
            for (int n : spreads) {
                int per = size / n;
                List<BenchStack.Session> sessions = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    sessions.add(newSession("spread-" + size + "-" + n, per * rounds));
                }
                List<BenchStack.Measured> steady = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    List<List<StreamRecord>> perSession = new ArrayList<>();
                    for (BenchStack.Session s : sessions) {
                        perSession.add(s.append(per));
                    }
                    List<StreamRecord> batch = interleave(perSession);
                    BenchStack.Measured m = record(batch, n, size + " records over " + n + " sessions, round " + (round + 1), round == 0);
                    if (round == 0) {
                        spreadRow(t, size, n, "first (no state yet)", List.of(m));
                    } else {
                        steady.add(m);
                    }
                }
                spreadRow(t, size, n, "steady (state stored), " + steady.size() + " batches", steady);
                checkFolded(sessions);
                Benchmarks.progress("record: %d records over %d sessions: %d DynamoDB calls, %.0f records/s (steady)", size, n,
                        steady.get(0).dynamoCalls(), size / (mean(steady, BenchStack.Measured::nanos) / 1e9));
            }
        }
        return """
                ### Calls and capacity per batch

                Each configuration has its own sessions. The first batch finds no stored state (GetItem finds \
                nothing, so a Query of the head checks that the session is not being erased or erased, a GetItem \
                of the archive item tells whether it is a fork, the PutItem creates the item, the UpdateItem \
                creates the session's archive item at seq 0); the next ones are the steady state (a DELETE marks \
                the stored item, so a stored session needs no head read). A steady row shows the mean of its batches (a range a–b when \
                they differed). "per session" = DynamoDB calls / sessions in the batch.

                """ + t.render() + "\n";
    }

    private void spreadRow(Table t, int size, int n, String label, List<BenchStack.Measured> ms) {
        t.row(size, n, label, range(ms, m -> m.dynamoCalls(), 0), Table.num(mean(ms, m -> m.dynamoCalls()) / n, 2),
                breakdown(ms), range(ms, m -> m.s3Calls(), 0), range(ms, m -> m.cost().rcu(), 1),
                range(ms, m -> m.cost(stack.sessionsTable).tableWcu(), 1) + " + " + range(ms, m -> m.cost(stack.sessionsTable).indexWcu(), 1),
                range(ms, m -> m.cost(stack.eventsTable).tableWcu(), 1) + " + " + range(ms, m -> m.cost(stack.eventsTable).indexWcu(), 1),
                Table.num(mean(ms, m -> m.nanos() / 1e6), 1) + " (" + Table.num(mean(ms, m -> m.callNanos() / 1e6), 1) + ")",
                Table.rate(size / (mean(ms, m -> m.nanos()) / 1e9)));
    }

    // ---- B: gaps, redeliveries, bodies in S3 ----------------------------------------------------------

    private String specialCases() {
        Table t = new Table("case", ">records", ">DynamoDB calls", "calls by operation (DynamoDB and S3)", ">RCU",
                ">WCU (table + index)", ">ms (in calls)");

        // A gap: the stream delivers 401..500 before 301..400 (another shard's batch, a retry).
        int history = options.quick() ? 100 : 300;
        BenchStack.Session gap = newSession("gap", history + 200);
        stack.recordUnmeasured(gap.append(history));
        // two requests: the items of 301..400, then those of 401..500 (a request's events share items)
        List<StreamRecord> late = gap.append(100);
        List<StreamRecord> early = gap.append(100);
        special(t, String.format(Locale.ROOT, "seqs %d..%d while the state is through %d: the gap %d..%d is read from the log",
                history + 101, history + 200, history, history + 1, history + 100), record(early, 1, "gap catch-up"), 100);
        special(t, String.format(Locale.ROOT, "then the late batch %d..%d (folded already: skipped)", history + 1, history + 100),
                record(late, 1, null), 100);
        special(t, "the same batch delivered again (at-least-once redelivery)", record(early, 1, null), 100);
        checkFolded(List.of(gap));

        // Bodies above 64 KiB compressed live in S3: the fold reads them back.
        BenchStack.Session large = newSession("large", 400);
        stack.recordUnmeasured(large.append(50));
        List<JsonNode> upToTool = untilToolEnd(large);
        List<StreamRecord> batch = large.append(upToTool);
        special(t, String.format(Locale.ROOT, "%d events, the last a ToolExecutionEnd of 100 KB random text (body in S3)",
                upToTool.size()), record(batch, 1, "large body last"), upToTool.size());
        List<JsonNode> middle = new ArrayList<>(untilToolEnd(large));
        middle.addAll(large.next(20));
        batch = large.append(middle);
        special(t, String.format(Locale.ROOT, "%d events, a body in S3 in the middle, 20 small events after it", middle.size()),
                record(batch, 1, "large body in the middle"), middle.size());
        checkFolded(List.of(large));
        long stateAfter = stateBytes(large.key)[0];
        Benchmarks.progress("record: special cases measured");
        return String.format(Locale.ROOT, """
                ### Gaps, redeliveries and bodies in S3

                One session each. A body whose gzip is above 64 KiB is stored in S3 by the append; the recorder's fold \
                needs the event, so it reads the body back. After these two large events the session's stored state \
                is %,d bytes (gzip).

                """, stateAfter) + t.render() + "\n";
    }

    /** The run's next events up to its next ToolExecutionEnd, that one with a 100 KB random text result. */
    private List<JsonNode> untilToolEnd(BenchStack.Session s) {
        List<JsonNode> events = new ArrayList<>();
        while (true) {
            JsonNode e = s.next(1).get(0);
            if (!"ToolExecutionEnd".equals(e.path("type").asText())) {
                events.add(e);
                continue;
            }
            ObjectNode big = e.deepCopy();
            byte[] raw = new byte[75_000];
            random.nextBytes(raw);
            ObjectNode text = big.putObject("result").putArray("content").addObject();
            text.put("type", "text").put("text", Base64.getEncoder().encodeToString(raw));
            events.add(big);
            return events;
        }
    }

    private void special(Table t, String what, BenchStack.Measured m, int records) {
        t.row(what, records, m.dynamoCalls(), BenchCalls.breakdown(m.calls()), Table.num(m.cost().rcu(), 1),
                Table.num(m.cost().tableWcu(), 1) + " + " + Table.num(m.cost().indexWcu(), 1),
                Table.num(m.nanos() / 1e6, 1) + " (" + Table.num(m.callNanos() / 1e6, 1) + ")");
    }

    // ---- C: session length -----------------------------------------------------------------------

    /** The stored state: gzip bytes and whether it is in S3 (1) or in the item (0). */
    private long[] stateBytes(StreamKey key) {
        Map<String, AttributeValue> item = stack.plainDynamo.getItem(b -> b.tableName(stack.sessionsTable)
                .key(Map.of(SessionItems.PK, AttributeValue.fromS(key.pk()))).consistentRead(true)).item();
        if (item.containsKey(SessionItems.STATE_GZ)) {
            return new long[] {item.get(SessionItems.STATE_GZ).b().asByteArrayUnsafe().length, 0};
        }
        String ref = item.get(SessionItems.STATE_REF).s();
        return new long[] {stack.plainS3.headObject(b -> b.bucket(BenchStack.BUCKET).key(ref)).contentLength(), 1};
    }

    private String sessionLength() {
        List<Integer> lengths = options.quick() ? List.of(500) : List.of(1_000, 10_000, 20_000);
        int[] batchSizes = {10, 100};
        int max = lengths.get(lengths.size() - 1);
        BenchStack.Session s = newSession("long", max + 400);
        Table t = new Table(">events folded before", "state stored (gzip)", ">events", ">DynamoDB calls",
                "calls by operation (DynamoDB and S3)", ">RCU", ">WCU state item (table + index)", ">WCU archive item",
                ">ms (in calls)", ">events/s", ">$ per million events");
        // A fresh session: the first batch, then one on the state it made.
        for (int n : batchSizes) {
            lengthRow(t, s, n);
        }
        for (int length : lengths) {
            long t0 = System.nanoTime();
            stack.recordUnmeasured(s.append((int) (length - s.head)));
            Benchmarks.progress("record: session filled and folded to %,d events in %.1f s", length, (System.nanoTime() - t0) / 1e9);
            for (int n : batchSizes) {
                lengthRow(t, s, n);
            }
        }
        checkFolded(List.of(s));
        Table one = new Table(">events folded before", "state stored (gzip)", ">events", ">DynamoDB calls",
                "calls by operation (DynamoDB and S3)", ">RCU", ">WCU state item (table + index)", ">WCU archive item",
                ">ms (in calls)", ">events/s", ">$ per million events");
        String loopSession = "one-loop-" + (++sessionCounter);
        BenchStack.Session loop = stack.new Session(TENANT, loopSession, oneLoop(loopSession, max + 400));
        for (int n : batchSizes) {
            lengthRow(one, loop, n);
        }
        for (int length : lengths) {
            stack.recordUnmeasured(loop.append((int) (length - loop.head)));
            Benchmarks.progress("record: one loop filled and folded to %,d events", length);
            for (int n : batchSizes) {
                lengthRow(one, loop, n);
            }
        }
        checkFolded(List.of(loop));
        SessionFold folded = stack.components.sessionStore().load(loop.key).orElseThrow().fold();
        if (folded.foldErrorCount() != 0 || folded.loopCount() != 1 || !folded.hasOpenLoops()) {
            throw new IllegalStateException("one loop expected, running, without fold errors: " + folded.toSummaryJson());
        }
        return """
                ### Does the cost grow with the session's length?

                One session, grown through the lengths (appended and folded unmeasured in batches of 1,000), and at \
                each length a batch of 10 and then one of 100 events of it (each appended in one request, so one \
                stream record or a few). The fold's state is stored gzip-compressed in the session's item up to \
                8 KiB, in S3 above (SessionStore.MAX_INLINE_STATE_BYTES); closed loops leave it for parts of their \
                own in S3, written once, when their JSON reaches 64 KiB (SessionStore.MIN_FROZEN_PART_BYTES). A \
                batch that freezes a part makes one S3 PUT more. "$ per million events": the batch's request \
                charges (computed RCU/WCU at on-demand prices, S3 requests; prices below under Archival) divided by \
                its events, times a million.

                """ + t.render() + """

                The same for a session that is one agent loop running for all its events (tool turns one after \
                another, nothing closes, no streamed updates): its finished turns leave the state for parts of \
                their own, 64 KiB of them at a time, and its event seqs are kept as runs.

                """ + one.render() + "\n";
    }

    /** The first {@code events} events of one loop of tool turns that has not ended. */
    private static List<JsonNode> oneLoop(String sessionId, int events) {
        for (int turns = 1024; ; turns *= 2) {
            List<EventRecord> run = AgentRunGenerator.generate(AgentRunGenerator.Config.of(sessionId, 1)
                    .withShape(turns, 2, 0).withLinks(1, 0, 3, 0).withSeed(5)).events();
            if (run.size() > events + 10) {
                return run.stream().limit(events).map(EventRecord::event).toList();
            }
        }
    }

    private void lengthRow(Table t, BenchStack.Session s, int n) {
        long before = s.head;
        List<StreamRecord> batch = s.append(n);
        BenchStack.Measured m = record(batch, 1, "session of " + before + " events, " + n + " records", before == 0);
        long[] state = stateBytes(s.key);
        CapacityModel.Cost sessions = m.cost(stack.sessionsTable);
        CapacityModel.Cost events = m.cost(stack.eventsTable);
        t.row(String.format(Locale.ROOT, "%,d", before), String.format(Locale.ROOT, "%,d B %s", state[0], state[1] == 1 ? "in S3" : "in the item"),
                n, m.dynamoCalls(), BenchCalls.breakdown(m.calls()), Table.num(m.cost().rcu(), 1),
                Table.num(sessions.tableWcu(), 1) + " + " + Table.num(sessions.indexWcu(), 1),
                Table.num(events.wcu(), 1), Table.num(m.nanos() / 1e6, 1) + " (" + Table.num(m.callNanos() / 1e6, 1) + ")",
                Table.rate(n / (m.nanos() / 1e9)), String.format(Locale.ROOT, "%.2f", BenchStack.dollars(m) / n * 1e6));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static double mean(List<BenchStack.Measured> ms, java.util.function.ToDoubleFunction<BenchStack.Measured> f) {
        return ms.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static String range(List<BenchStack.Measured> ms, java.util.function.ToDoubleFunction<BenchStack.Measured> f,
                                int decimals) {
        double min = ms.stream().mapToDouble(f).min().orElse(Double.NaN);
        double max = ms.stream().mapToDouble(f).max().orElse(Double.NaN);
        return Math.abs(max - min) < 1e-9 ? Table.num(min, decimals) : Table.num(min, decimals) + "–" + Table.num(max, decimals);
    }

    private static String breakdown(List<BenchStack.Measured> ms) {
        Set<String> kinds = new LinkedHashSet<>();
        ms.forEach(m -> kinds.add(BenchCalls.breakdown(m.calls())));
        return String.join(" / ", kinds);
    }

}
