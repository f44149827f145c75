package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.archive.SegmentStore;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventBodyCodec;
import dev.sessionlog.sessions.StreamRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Archival's cost: events per second of a scheduled run against raw S3 PutObject of the same
 * bytes, its S3 and DynamoDB calls and capacity per 1,000 archived events, the gzip ratio of the
 * archive's JSON Lines, and what a million archived events cost at AWS list prices, stubs included,
 * against keeping them hot in DynamoDB. Runs the product's Archiver (Components.archiver(), default
 * settings: 1,000 events per object, 24 h hot window) on sessions appended "long ago" on a
 * MutableClock and folded by the recorder, as ArchiverTest does.
 */
final class ArchiveBench {

    private static final String TENANT = "bench";
    private static final Instant LONG_AGO = Instant.parse("2026-11-01T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    /** DynamoDB's storage overhead per item and per index entry (its documented 100 bytes). */
    private static final int ITEM_OVERHEAD = 100;

    private final Benchmarks.Options options;
    private BenchStack stack;
    private int sessionCounter;

    ArchiveBench(Benchmarks.Options options) {
        this.options = options;
    }

    String run() throws Exception {
        Benchmarks.progress("archive: starting moto (the project's launcher, a Python child process) and S3Proxy");
        stack = BenchStack.start(LONG_AGO, s -> s);
        try {
            return measure();
        } finally {
            stack.close();
        }
    }

    private BenchStack.Session session(String name, int old, int hot) {
        BenchStack.Session s = stack.new Session(TENANT, name + "-" + (++sessionCounter), old + hot);
        stack.clock.set(LONG_AGO);
        List<StreamRecord> records = new ArrayList<>(s.append(old));
        stack.clock.set(NOW);
        records.addAll(s.append(hot));
        stack.recordUnmeasured(records);
        return s;
    }

    private String measure() throws IOException {
        int sessions = options.quick() ? 2 : 8;
        int old = options.quick() ? 300 : 1_500;
        int hot = 20;
        Instant cutoff = NOW.minus(Duration.ofHours(24));

        Benchmarks.progress("archive: warming up");
        BenchStack.Session warm = session("warmup", options.quick() ? 300 : 1_200, hot);
        stack.clock.set(NOW);
        stack.components.archiver().archive(warm.key, cutoff);

        long t0 = System.nanoTime();
        List<BenchStack.Session> due = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            due.add(session("archive", old, hot));
        }
        Benchmarks.progress("archive: %d sessions of %,d old + %d hot events appended and folded in %.1f s", sessions, old, hot,
                (System.nanoTime() - t0) / 1e9);

        // What DynamoDB holds of the events before archival: full items and their by_event_id entries.
        long itemBytes = 0;
        long lsiBytes = 0;
        long over1k = 0;
        for (BenchStack.Session s : due) {
            for (Map<String, AttributeValue> item : items(s.key, 1, old)) {
                int size = CapacityModel.itemSize(item);
                itemBytes += size;
                over1k += size > 1024 ? 1 : 0;
                lsiBytes += CapacityModel.itemSize(Map.of("pk", item.get("pk"), "seq", item.get("seq"), "event_id", item.get("event_id")));
            }
        }

        stack.clock.set(NOW);
        stack.calls.capture(true);
        BenchStack.Measured m = stack.measure(() -> stack.components.archiver().run(), report -> {
            if (report.eventsArchived() != (long) sessions * old) {
                throw new IllegalStateException("archived " + report.eventsArchived() + " events, expected " + sessions * old);
            }
        });
        stack.calls.capture(false);
        long events = (long) sessions * old;
        long stubBytes = stack.calls.captured().stream().filter(i -> i.containsKey("archived"))
                .mapToLong(CapacityModel::itemSize).sum();
        long stubs = stack.calls.captured().stream().filter(i -> i.containsKey("archived")).count();
        Benchmarks.progress("archive: %,d events archived in %.2f s (%.0f events/s)", events, m.nanos() / 1e9, events / (m.nanos() / 1e9));

        // The objects it wrote, and every event read back through the product's log, S3 part included.
        List<byte[]> objects = new ArrayList<>();
        long gzBytes = 0;
        long jsonlBytes = 0;
        long lines = 0;
        for (BenchStack.Session s : due) {
            String prefix = stack.components.segmentStore().sessionPrefix(s.key);
            for (S3Object o : stack.plainS3.listObjectsV2(b -> b.bucket(BenchStack.BUCKET).prefix(prefix)).contents()) {
                byte[] gz = stack.plainS3.getObjectAsBytes(b -> b.bucket(BenchStack.BUCKET).key(o.key())).asByteArray();
                objects.add(gz);
                gzBytes += gz.length;
                byte[] raw = EventBodyCodec.gunzip(gz);
                jsonlBytes += raw.length;
                lines += new String(raw, StandardCharsets.UTF_8).lines().count();
            }
            checkReadable(s);
        }
        if (lines != events) {
            throw new IllegalStateException("the archive holds " + lines + " lines for " + events + " events");
        }

        // Raw PutObject of the same bytes, same client, same S3Proxy: three passes, the median.
        int passes = 3;
        double[] rawRates = new double[passes];
        for (int p = 0; p < passes; p++) {
            long nanos = 0;
            for (int i = 0; i < objects.size(); i++) {
                byte[] gz = objects.get(i);
                String key = "raw-baseline/pass-" + p + "/" + i + ".jsonl.gz";
                long s0 = System.nanoTime();
                stack.s3.putObject(b -> b.bucket(BenchStack.BUCKET).key(key).contentType("application/x-ndjson")
                        .contentEncoding("gzip"), RequestBody.fromBytes(gz));
                nanos += System.nanoTime() - s0;
            }
            rawRates[p] = events / (nanos / 1e9);
        }
        double rawRate = FoldBench.median(rawRates);
        double rate = events / (m.nanos() / 1e9);

        double[] realText = realTextRatio(objects);
        return report(m, sessions, old, hot, events, objects.size(), gzBytes, jsonlBytes, itemBytes, lsiBytes, over1k,
                stubBytes, stubs, rate, rawRate, rawRates, realText);
    }

    private int realTextCorpus;

    /**
     * The archived records encoded again as the archiver does, every "text" field replaced by real
     * text of the same length: {JSON Lines bytes, gzip bytes}.
     */
    private double[] realTextRatio(List<byte[]> objects) throws IOException {
        StringBuilder corpus = new StringBuilder();
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("src/main/java", "docs")) {
            try (var paths = Files.walk(Path.of(dir))) {
                paths.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        for (Path f : files) {
            corpus.append(Files.readString(f));
        }
        realTextCorpus = corpus.length();
        SplittableRandom random = new SplittableRandom(5);
        double jsonl = 0;
        double gz = 0;
        for (byte[] object : objects) {
            List<EventRecord> records = new ArrayList<>();
            for (EventRecord r : SegmentStore.decode(object)) {
                JsonNode event = r.event().deepCopy();
                replaceTexts(event, corpus, random);
                records.add(new EventRecord(r.seq(), r.eventId(), r.parentEventId(), r.recordedAt(), event));
            }
            byte[] encoded = SegmentStore.encode(records);
            gz += encoded.length;
            jsonl += EventBodyCodec.gunzip(encoded).length;
        }
        return new double[] {jsonl, gz};
    }

    private static void replaceTexts(JsonNode node, CharSequence corpus,
                                     SplittableRandom random) {
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = o.get(name);
                if ("text".equals(name) && v.isTextual()) {
                    int length = Math.min(v.asText().length(), corpus.length() - 1);
                    int start = random.nextInt(corpus.length() - length);
                    o.put(name, corpus.subSequence(start, start + length).toString());
                } else {
                    replaceTexts(v, corpus, random);
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(x -> replaceTexts(x, corpus, random));
        }
    }

    /** The session's items with seq in [from, to], read with the plain client. */
    private List<Map<String, AttributeValue>> items(StreamKey key, long from, long to) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> exclusive = start;
            QueryResponse r = stack.plainDynamo.query(b -> b.tableName(stack.eventsTable)
                    .keyConditionExpression("pk = :pk AND seq BETWEEN :lo AND :hi")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()),
                            ":lo", AttributeValue.fromN(Long.toString(from)), ":hi", AttributeValue.fromN(Long.toString(to))))
                    .consistentRead(true).exclusiveStartKey(exclusive));
            items.addAll(r.items());
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    /** Every seq 1..head read back once, in order, through the product's log (S3 up to the watermark). */
    private void checkReadable(BenchStack.Session s) {
        long next = 1;
        while (next <= s.head) {
            List<EventRecord> page = stack.components.eventLog().read(s.key, next - 1, 1000);
            for (EventRecord r : page) {
                if (r.seq() != next) {
                    throw new IllegalStateException(s.key.sessionId() + ": read seq " + r.seq() + ", expected " + next);
                }
                next++;
            }
            if (page.isEmpty()) {
                throw new IllegalStateException(s.key.sessionId() + ": nothing readable after " + (next - 1));
            }
        }
    }

    private String report(BenchStack.Measured m, int sessions, int old, int hot, long events, int objects, long gzBytes,
                          long jsonlBytes, long itemBytes, long lsiBytes, long over1k, long stubBytes, long stubs, double rate,
                          double rawRate, double[] rawRates, double[] realText) {
        double per1k = 1000.0 / events;
        CapacityModel.Cost cost = m.cost();
        double stubWcu = m.calls().stream().filter(c -> "BatchWriteItem".equals(c.operation()))
                .mapToDouble(c -> c.model().tableWcu()).sum();
        double stubIndexWcu = m.calls().stream().filter(c -> "BatchWriteItem".equals(c.operation()))
                .mapToDouble(c -> c.model().indexWcu()).sum();
        double metaWcu = m.calls().stream().filter(c -> "UpdateItem".equals(c.operation())).mapToDouble(c -> c.model().wcu()).sum();
        double failedWcu = m.calls().stream().filter(BenchCalls.Call::failed).mapToDouble(c -> c.model().wcu()).sum();
        long puts = m.count("S3", "PutObject");
        long lists = m.count("S3", "ListObjectsV2");
        long gets = m.count("S3", "GetObject");

        StringBuilder b = new StringBuilder("## Archival\n\n");
        b.append(String.format(Locale.ROOT, """
                Setup: moto for DynamoDB (a Python child process started through the project's launcher, one request \
                at a time) and S3Proxy in this JVM, the tables of template.yaml, the product's Archiver from \
                Components with the default settings (hot window 24 h, at most 1,000 events or 8 MiB of JSON Lines per \
                object). %d sessions, each a generated phi-core run of its own (AgentRunGenerator): %,d events appended \
                20 days ago and %d appended now (on a MutableClock), through the product's EventLog, then folded by \
                the StreamRecorder (which puts each session on the archive_due index). Measured: one scheduled run, \
                `Archiver.run()` (the due-index query, then per session: lease, objects, watermark, stubs, finish), \
                after a warm-up run on another session. Afterwards every event of every session was read back once, \
                in order, through the product's log (S3 below the watermark, DynamoDB above) and the objects hold one \
                line per archived event. Capacity computed by CapacityModel (see the recorder section: a stub that \
                replaces an item is billed on the larger of the two, index entries that stay the same cost nothing).

                """, sessions, old, hot));

        Table run = new Table(">sessions due", ">events archived", ">objects", ">gzip bytes written", ">run time",
                ">(in calls)", ">archived events/s", ">raw PutObject events/s", ">archive / raw");
        run.row(sessions, String.format(Locale.ROOT, "%,d", events), objects, String.format(Locale.ROOT, "%,d", gzBytes),
                Table.num(m.nanos() / 1e6, 0) + " ms", Table.num(m.callNanos() / 1e6, 0) + " ms", Table.rate(rate),
                Table.rate(rawRate), String.format(Locale.ROOT, "%.3f", rate / rawRate));
        b.append("### Rate against raw PutObject of the same bytes\n\n").append(run.render()).append(String.format(Locale.ROOT, """

                Baseline: the %d objects the run wrote, read back and put again under another prefix with the same \
                client on the same S3Proxy, one PutObject each, three passes (events/s of each pass: %s; the median is \
                shown). The raw rate counts the events the objects hold. Only the ratio says something about the code: \
                the run does, per 1,000 events, %s S3 PUTs and about %.0f DynamoDB calls, and the DynamoDB calls go to \
                moto, whose speed is not AWS's. The ratio shows the archiver's cost relative to these engines only.

                """, objects, String.join(", ", Arrays.stream(rawRates).mapToObj(Table::rate).toList()),
                Table.num(m.count("S3", "PutObject") * per1k, 2), m.dynamoCalls() * per1k));

        Table calls = new Table("per 1,000 archived events", ">count", ">RCU", ">WCU (table + index)", ">ms in calls");
        Map<String, long[]> ops = new TreeMap<>();
        Map<String, double[]> units = new TreeMap<>();
        for (BenchCalls.Call c : m.calls()) {
            String name = (BenchCalls.DYNAMO.equals(c.service()) ? "DynamoDB " : "S3 ") + c.operation()
                    + (c.index() != null ? " (" + c.index() + ")" : "") + (c.failed() ? " (condition failed)" : "");
            ops.computeIfAbsent(name, k -> new long[1])[0]++;
            double[] u = units.computeIfAbsent(name, k -> new double[4]);
            u[0] += c.model().rcu();
            u[1] += c.model().tableWcu();
            u[2] += c.model().indexWcu();
            u[3] += c.nanos() / 1e6;
        }
        ops.forEach((name, n) -> {
            double[] u = units.get(name);
            boolean dynamo = name.startsWith("DynamoDB");
            calls.row(name, Table.num(n[0] * per1k, 2), dynamo ? Table.num(u[0] * per1k, 1) : "",
                    dynamo ? Table.num(u[1] * per1k, 1) + " + " + Table.num(u[2] * per1k, 1) : "", Table.num(u[3] * per1k, 0));
        });
        calls.row("**total**", Table.num(m.calls().size() * per1k, 2) + " (" + Table.num(m.dynamoCalls() * per1k, 2)
                + " DynamoDB, " + Table.num(m.s3Calls() * per1k, 2) + " S3)", Table.num(cost.rcu() * per1k, 1),
                Table.num(cost.tableWcu() * per1k, 1) + " + " + Table.num(cost.indexWcu() * per1k, 1),
                Table.num(m.callNanos() / 1e6 * per1k, 0) + " of " + Table.num(m.nanos() / 1e6 * per1k, 0));
        b.append("### Calls and capacity per 1,000 archived events\n\n").append(String.format(Locale.ROOT, """
                From the measured run's %,d calls, scaled to 1,000 archived events. Of the write units, %s per 1,000 \
                events are the stubs (BatchWriteItem puts of %,d stubs; %.1f%% of the replaced items were larger than \
                1 KB and cost 2 WCU), %s the updates of the sessions' archive items, %s failed conditional updates. \
                "ms in calls": time inside each kind of call on moto and S3Proxy; the total row shows it \
                against the run's wall time (the rest is reading, encoding and gzip in this JVM).

                """, m.calls().size(), Table.num(stubWcu * per1k, 1), stubs, 100.0 * over1k / events,
                Table.num(metaWcu * per1k, 1), Table.num(failedWcu * per1k, 1)))
                .append(calls.render()).append('\n');

        // Storage per event, as DynamoDB and S3 bill it.
        double jsonlPerEvent = jsonlBytes / (double) events;
        double gzPerEvent = gzBytes / (double) events;
        double itemPerEvent = itemBytes / (double) events;
        double stubPerEvent = stubBytes / (double) Math.max(1, stubs);
        double lsiPerEvent = lsiBytes / (double) events;
        double hotStored = itemPerEvent + ITEM_OVERHEAD + lsiPerEvent + ITEM_OVERHEAD;
        double stubStored = stubPerEvent + ITEM_OVERHEAD + lsiPerEvent + ITEM_OVERHEAD;
        Table storage = new Table("bytes per event", ">bytes");
        storage.row("archive JSON Lines (one event record per line, the read endpoint's shape)", Table.num(jsonlPerEvent, 0));
        storage.row("the same, gzip (what S3 stores)", Table.num(gzPerEvent, 0));
        storage.row("**gzip ratio (JSON Lines / gzip)**", String.format(Locale.ROOT, "**%.1f×**", jsonlPerEvent / gzPerEvent));
        storage.row("gzip ratio with real text in place of the generated words (see below)",
                String.format(Locale.ROOT, "%.1f× (%s B/event gzip)", realText[0] / realText[1], Table.num(realText[1] / events, 0)));
        storage.row("DynamoDB event item (bodies ≥ 1 KiB already gzip inside)", Table.num(itemPerEvent, 0));
        storage.row("DynamoDB stub left in its place", Table.num(stubPerEvent, 0));
        storage.row("by_event_id index entry (kept for retries)", Table.num(lsiPerEvent, 0));
        storage.row("billed DynamoDB storage, event hot: item + entry + 2 × 100 B overhead", Table.num(hotStored, 0));
        storage.row("billed DynamoDB storage, event archived: stub + entry + 2 × 100 B overhead", Table.num(stubStored, 0));
        b.append("### Sizes and gzip ratio\n\n").append(storage.render()).append(String.format(Locale.ROOT, """

                The generated runs write their texts with a vocabulary of 16 words, which gzip compresses far better \
                than real content. The second ratio encodes the same archived records again (SegmentStore.encode, the \
                archiver's own encoding) with every "text" field replaced by a slice of the same length of real text: \
                this project's own Java sources and Markdown (%,d bytes of it), roughly what a coding agent's messages \
                and read_file results hold. The cost table below uses the measured (generated) sizes; S3 storage is a \
                small part of it either way.

                """, realTextCorpus));

        // Money, per million events.
        double million = 1e6 / events;
        double putCost = puts * million * BenchStack.S3_PUT_PER_1000 / 1000;
        double listCost = lists * million * BenchStack.S3_PUT_PER_1000 / 1000;
        double getCost = gets * million * BenchStack.S3_GET_PER_1000 / 1000;
        double stubWriteCost = (stubWcu + stubIndexWcu) * million * BenchStack.DDB_WRU_PER_MILLION / 1e6;
        double otherWriteCost = (cost.wcu() - stubWcu - stubIndexWcu) * million * BenchStack.DDB_WRU_PER_MILLION / 1e6;
        double readCost = cost.rcu() * million * BenchStack.DDB_RRU_PER_MILLION / 1e6;
        double oneOff = putCost + listCost + getCost + stubWriteCost + otherWriteCost + readCost;
        double hotMonth = 1e6 * hotStored / BenchStack.GB * BenchStack.DDB_GB_MONTH;
        double stubMonth = 1e6 * stubStored / BenchStack.GB * BenchStack.DDB_GB_MONTH;
        double s3Month = 1e6 * gzPerEvent / BenchStack.GB * BenchStack.S3_GB_MONTH;
        double saved = hotMonth - stubMonth - s3Month;
        Table money = new Table("per million events archived", ">quantity", "price (us-east-1)", ">cost");
        money.row("S3 PUT (archive objects)", Table.num(puts * million, 0), "$0.005 per 1,000", dollars(putCost));
 money.row("S3 LIST (one per session and run, for objects a run that died left)", Table.num(lists * million, 0), "$0.005 per 1,000", dollars(listCost));
        if (gets > 0) {
            money.row("S3 GET", Table.num(gets * million, 0), "$0.0004 per 1,000", dollars(getCost));
        }
        money.row("DynamoDB writes: the stubs", Table.num((stubWcu + stubIndexWcu) * million, 0) + " WRU",
                "$0.625 per million", dollars(stubWriteCost));
        money.row("DynamoDB writes: archive items (lease, watermark, finish)", Table.num((cost.wcu() - stubWcu - stubIndexWcu) * million, 0)
                + " WRU", "$0.625 per million", dollars(otherWriteCost));
        money.row("DynamoDB reads (segments, stub pages, head, due index)", Table.num(cost.rcu() * million, 0) + " RRU",
                "$0.125 per million", dollars(readCost));
        money.row("**one-off cost of archiving**", "", "", "**" + dollars(oneOff) + "**");
        money.row("storage per month if kept hot in DynamoDB", String.format(Locale.ROOT, "%.3f GB", 1e6 * hotStored / BenchStack.GB),
                "$0.25 per GB-month", dollars(hotMonth));
        money.row("storage per month once archived: stubs in DynamoDB", String.format(Locale.ROOT, "%.3f GB", 1e6 * stubStored / BenchStack.GB),
                "$0.25 per GB-month", dollars(stubMonth));
        money.row("storage per month once archived: objects in S3 Standard", String.format(Locale.ROOT, "%.3f GB", 1e6 * gzPerEvent / BenchStack.GB),
                "$0.023 per GB-month", dollars(s3Month));
        money.row("**saved per month by archiving**", "", "", "**" + dollars(saved) + "**");
        String breakEven = saved > 0 ? String.format(Locale.ROOT, "%.1f months", oneOff / saved) : "never";
        money.row("**months of retention until archiving pays for itself**", "", "", "**" + breakEven + "**");
        b.append("### Cost per million events archived\n\n").append("""
                AWS list prices assumed (us-east-1, on-demand, Standard table class and S3 Standard): S3 PUT/LIST \
                $0.005 per 1,000 requests, GET $0.0004 per 1,000, storage $0.023 per GB-month; DynamoDB $0.625 per \
                million write request units, $0.125 per million read request units, storage $0.25 per GB-month \
                (GB = 2^30 bytes, free tiers ignored). DynamoDB bills 100 bytes of overhead per item and per index \
                entry. Scaled from the measured run.

                """).append(money.render()).append('\n');
        Benchmarks.progress("archive: %.1f× gzip, one-off $%.3f per million events, saves $%.3f per month (break-even %s)",
                jsonlPerEvent / gzPerEvent, oneOff, saved, breakEven);
        return b.toString();
    }

    private static String dollars(double d) {
        return d < 0.1 ? String.format(Locale.ROOT, "$%.4f", d) : String.format(Locale.ROOT, "$%.3f", d);
    }
}
