package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.local.CloudFormationTemplate;
import dev.sessionlog.local.EmbeddedAws;
import dev.sessionlog.local.TemplateTables;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventBodyCodec;
import dev.sessionlog.recorder.AgentRunGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The append path's cost: DynamoDB calls and capacity per request, events per second against raw
 * PutItem of the same items, and whether anything grows with the session's length. Runs the
 * product's own objects (Components → DynamoEventLog → S3PayloadStore) against moto (DynamoDB, in a
 * Python child process started through the project's launcher) and S3Proxy in this JVM, with tables
 * made from template.yaml.
 */
final class AppendBench {

    private static final String TENANT = "bench";
    /** Same length as TENANT, so that the raw baseline's items are byte for byte as large. */
    private static final String RAW_TENANT = "rawpt";
    private static final String BUCKET = "sessionlog-bench";

    enum Ids {
        ORDERED("client, ordered (e-1, e-2, …)"), UUID("client, random UUIDs"), NONE("none (server makes UUIDs)");

        final String label;

        Ids(String label) {
            this.label = label;
        }
    }

    /** A session the bench appends to, and what it knows of its head. */
    static final class Session {
        final StreamKey key;
        long head;

        Session(String sessionId) {
            this.key = new StreamKey(TENANT, sessionId);
        }
    }

    private record PoolEvent(JsonNode event, byte[] body) {
    }

    /** One measured request. */
    private record Sample(List<BenchCalls.Call> calls, long nanos, int events) {
        long dynamoCalls() {
            return calls.stream().filter(c -> BenchCalls.DYNAMO.equals(c.service())).count();
        }

        CapacityModel.Cost model() {
            CapacityModel.Cost sum = CapacityModel.Cost.ZERO;
            for (BenchCalls.Call c : calls) {
                sum = sum.plus(c.model());
            }
            return sum;
        }

        long callNanos() {
            return calls.stream().mapToLong(BenchCalls.Call::nanos).sum();
        }

        /** Queries of the by_event_id index: the client event_id check. */
        long idLookups() {
            return calls.stream().filter(c -> "by_event_id".equals(c.index())).count();
        }

        double idLookupRcu() {
            return calls.stream().filter(c -> "by_event_id".equals(c.index())).mapToDouble(c -> c.model().rcu()).sum();
        }

    }

    /** Samples of one configuration. */
    private static final class Stats {
        final List<Sample> samples = new ArrayList<>();

        void add(Sample s) {
            samples.add(s);
        }

        int requests() {
            return samples.size();
        }

        long events() {
            return samples.stream().mapToLong(Sample::events).sum();
        }

        double eventsPerSecond() {
            long nanos = samples.stream().mapToLong(Sample::nanos).sum();
            return events() / (nanos / 1e9);
        }

        double msPerRequest() {
            return samples.stream().mapToLong(Sample::nanos).average().orElse(Double.NaN) / 1e6;
        }

        /** Of msPerRequest, the time inside AWS calls (SDK + HTTP + moto / S3Proxy). */
        double msInCalls() {
            return samples.stream().mapToLong(Sample::callNanos).average().orElse(Double.NaN) / 1e6;
        }

        String calls() {
            long min = samples.stream().mapToLong(Sample::dynamoCalls).min().orElse(0);
            long max = samples.stream().mapToLong(Sample::dynamoCalls).max().orElse(0);
            if (min == max) {
                return Long.toString(min);
            }
            long atMax = samples.stream().filter(x -> x.dynamoCalls() == max).count();
            return String.format(Locale.ROOT, "%d–%d (%d of %d at %d)", min, max, atMax, samples.size(), max);
        }

        long maxCalls() {
            return samples.stream().mapToLong(Sample::dynamoCalls).max().orElse(0);
        }

        String breakdown() {
            Set<String> kinds = new LinkedHashSet<>();
            samples.forEach(s -> kinds.add(BenchCalls.breakdown(s.calls())));
            return String.join(" / ", kinds);
        }

        double mean(java.util.function.ToDoubleFunction<Sample> f) {
            return samples.stream().mapToDouble(f).average().orElse(Double.NaN);
        }

        String range(java.util.function.ToDoubleFunction<Sample> f, int decimals) {
            double min = samples.stream().mapToDouble(f).min().orElse(Double.NaN);
            double max = samples.stream().mapToDouble(f).max().orElse(Double.NaN);
            return Math.abs(max - min) < 1e-9 ? Table.num(min, decimals)
                    : Table.num(min, decimals) + "–" + Table.num(max, decimals);
        }

        String rcu() {
            return range(s -> s.model().rcu(), 1);
        }

        String wcu() {
            return range(s -> s.model().tableWcu(), 1) + " + " + range(s -> s.model().indexWcu(), 1);
        }

        String wcuPerEvent() {
            return Table.num(mean(s -> s.model().wcu()) / (events() / (double) requests()), 2);
        }
    }

    private final Benchmarks.Options options;
    private final SplittableRandom random = new SplittableRandom(7);
    private EmbeddedAws aws;
    private BenchCalls calls;
    private DynamoDbClient dynamo;
    private String table;
    private EventLog log;
    private List<PoolEvent> pool;
    private int poolCursor;
    private int sessionCounter;

    AppendBench(Benchmarks.Options options) {
        this.options = options;
    }

    String run() throws Exception {
        StringBuilder out = new StringBuilder();
        Benchmarks.progress("append: starting moto (the project's launcher, a Python child process) and S3Proxy");
        aws = EmbeddedAws.start(EmbeddedAws.Options.inMemory());
        try {
            setUp();
            out.append("## Append: DynamoDB calls, capacity and rate\n\n");
            out.append(setupText());
            warmUp();
            List<Map<String, AttributeValue>> sameItems = new ArrayList<>();
            out.append(perRequest(sameItems));
            out.append(rawBaseline(sameItems));
            out.append(sessionLength());
            out.append(largeEvents());
        } finally {
            aws.close();
        }
        return out.toString();
    }

    // ---- setup --------------------------------------------------------------------------------

    private void setUp() {
        CloudFormationTemplate template = CloudFormationTemplate.load();
        TemplateTables tables = new TemplateTables(template);
        String logicalId = "EventsTable";
        table = TemplateTables.localName(logicalId);
        CreateTableRequest definition = tables.createRequest(logicalId, table);
        calls = new BenchCalls(new CapacityModel(definition));
        dynamo = aws.dynamo(calls);
        S3Client s3 = aws.s3(calls);
        Map<String, String> names = tables.createAll(dynamo);
        if (!table.equals(names.get(logicalId))) {
            throw new IllegalStateException("events table is " + names.get(logicalId) + ", expected " + table);
        }
        EmbeddedAws.createBucket(s3, BUCKET);
        // The product's object graph, as the append function gets it.
        String sessions = names.getOrDefault("SessionsTable", TemplateTables.localName("SessionsTable"));
        log = new Components(Settings.local(table, sessions, BUCKET), dynamo, s3).eventLog();

        AgentRunGenerator.Run run = AgentRunGenerator.generate(AgentRunGenerator.Config.of("bench-append", 400));
        pool = new ArrayList<>();
        for (EventRecord e : run.events()) {
            pool.add(new PoolEvent(e.event(), Json.bytes(e.event())));
        }
    }

    private String setupText() {
        long bodies = 0;
        int gz = 0;
        long storedBody = 0;
        for (PoolEvent p : pool) {
            bodies += p.body().length;
            int stored = p.body().length;
            if (p.body().length >= 1024) {
                gz++;
                stored = EventBodyCodec.gzip(p.body()).length;
            }
            storedBody += stored;
        }
        return String.format(Locale.ROOT, """
                Setup: moto %s for DynamoDB (a Python child process started through the project's launcher, which \
                serves one request at a time) and S3Proxy in this JVM, the events table created from template.yaml \
                (key pk/seq, LSI by_event_id KEYS_ONLY, sparse GSI children KEYS_ONLY, stream NEW_IMAGE), the product's \
                own objects (Components → DynamoEventLog → S3PayloadStore) and one writer thread (uncontended). \
                Events: a pool of %,d events of a generated phi-core run (AgentRunGenerator, 400 loops), cycled; \
                %,d bytes of JSON per event on average, %.0f%% of them ≥ 1 KiB and stored gzip-compressed (%,d bytes \
                stored per event on average). Each \
                request's calls are counted by an SDK ExecutionInterceptor (BenchCalls) on the DynamoDB and S3 clients.

                **Measured vs computed.** Calls per request and events per second are measured. moto's \
                ConsumedCapacity is not AWS's: it reports a flat 1 unit per PutItem or Query (0.5 per GetItem) \
                whatever the size of the items, and none for TransactWriteItems, so it is not shown. The RCU/WCU \
                columns are **computed** by CapacityModel \
                from the exact items and responses of each call with DynamoDB's documented rules: item size = \
                attribute names + values; 1 WCU per started KB per item, ×2 in a transaction; a ConditionCheck \
                2 WCU; 1 WCU per started KB of an index entry the item creates (LSI by_event_id for every event, \
                GSI children only for events with a parent_event_id — none here), counted once also in a \
                transaction (an assumption, hence the separate column); strongly consistent reads 1 RCU per started \
                4 KB read, at least 1 per call.

                """, BenchStack.motoVersion(aws), pool.size(), bodies / pool.size(), 100.0 * gz / pool.size(),
                storedBody / pool.size());
    }

    private Session newSession(String name) {
        return new Session(name + "-" + (++sessionCounter));
    }

    private AppendRequest request(Session s, int n, Ids ids, boolean expected) {
        AppendRequest r = request(s, n, ids, expected, poolCursor);
        poolCursor += n;
        return r;
    }

    /** A request of the pool's events from poolStart on: the same start gives the same bodies. */
    private AppendRequest request(Session s, int n, Ids ids, boolean expected, int poolStart) {
        List<NewEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PoolEvent p = pool.get((poolStart + i) % pool.size());
            String id = switch (ids) {
                case ORDERED -> "e-" + (s.head + 1 + i);
                case UUID -> UUID.randomUUID().toString();
                case NONE -> null;
            };
            events.add(new NewEvent(id, null, p.event(), p.body()));
        }
        return new AppendRequest(events, expected ? OptionalLong.of(s.head) : OptionalLong.empty());
    }

    private Sample append(Session s, AppendRequest request) {
        calls.start();
        long t0 = System.nanoTime();
        AppendResult result;
        Sample sample;
        try {
            result = log.append(s.key, request);
        } finally {
            long nanos = System.nanoTime() - t0;
            sample = new Sample(calls.stop(), nanos, request.events().size());
        }
        int n = request.events().size();
        if (result.headSeq() != s.head + n || result.events().stream().anyMatch(e -> e.duplicate())) {
            throw new IllegalStateException("unexpected append result " + result + " for head " + s.head);
        }
        s.head = result.headSeq();
        return sample;
    }

    /** Appends without measuring: preloads and warm-ups. */
    private void fill(Session s, long targetHead, Ids ids) {
        while (s.head < targetHead) {
            int n = (int) Math.min(100, targetHead - s.head);
            append(s, request(s, n, ids, false));
        }
    }

    private Stats measure(Session s, int n, Ids ids, boolean expected, int warmup, double seconds, int minRequests,
                          int maxRequests) {
        for (int i = 0; i < warmup; i++) {
            append(s, request(s, n, ids, expected));
        }
        Stats stats = new Stats();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (stats.requests() < maxRequests && (stats.requests() < minRequests || System.nanoTime() < deadline)) {
            stats.add(append(s, request(s, n, ids, expected)));
        }
        return stats;
    }

    private void warmUp() {
        double seconds = options.quick() ? 1 : 6;
        Benchmarks.progress("append: warming up for %.0f s", seconds);
        Session s = newSession("warmup");
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int i = 0;
        while (System.nanoTime() < deadline) {
            int n = new int[] {1, 10, 100}[i % 3];
            Ids ids = Ids.values()[i / 3 % 3];
            append(s, request(s, n, ids, i % 2 == 0));
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("pk", AttributeValue.fromS(RAW_TENANT + "#warmup"));
            item.put("seq", AttributeValue.fromN(Integer.toString(i)));
            item.put("event_id", AttributeValue.fromS("w-" + i));
            item.put("body", AttributeValue.fromS(new String(pool.get(i % pool.size()).body())));
            dynamo.putItem(b -> b.tableName(table).item(item).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            i++;
        }
    }

    // ---- A: per request -----------------------------------------------------------------------

    private final Map<String, Stats> main = new LinkedHashMap<>();

    private String perRequest(List<Map<String, AttributeValue>> sameItems) {
        Table t = new Table(">events/request", "expected_seq", "event ids", ">DynamoDB calls", "calls by operation",
                ">RCU/request", ">WCU/request (table + index)", ">WCU/event", ">events/s",
                ">ms/request (in calls)");
        int[] sizes = {1, 10, 100};
        calls.capture(true);
        for (int n : sizes) {
            for (boolean expected : new boolean[] {false, true}) {
                for (Ids ids : new Ids[] {Ids.NONE, Ids.ORDERED}) {
                    Session s = newSession("main-" + n + (expected ? "-exp" : "-any") + "-" + ids.name().toLowerCase());
                    fill(s, 100, ids); // a session with history: the steady state, not the first append
                    Stats st = measure(s, n, ids, expected, options.quick() ? 2 : 5, options.secondsPerConfig(),
                            options.quick() ? 3 : 10, 2000);
                    main.put(n + "/" + expected + "/" + ids, st);
                    Benchmarks.progress("append: %3d events, expected_seq %-5s, ids %-7s: %s calls, %.0f events/s", n,
                            expected, ids, st.calls(), st.eventsPerSecond());
                    t.row(n, expected ? "given" : "no", ids == Ids.NONE ? "none" : "client, ordered", st.calls(),
                            st.breakdown(), st.rcu(), st.wcu(), st.wcuPerEvent(),
                            Table.rate(st.eventsPerSecond()),
                            Table.num(st.msPerRequest(), 2) + " (" + Table.num(st.msInCalls(), 2) + ")");
                }
            }
        }
        calls.capture(false);
        sameItems.addAll(calls.captured());
        return """
                ### Calls and capacity per append request

                Steady state: each configuration appends to its own session that already holds 100 events, after a \
                warm-up of the whole path; one writer. "expected_seq given" passes the session's current head. \
                Client event_ids are ordered ("e-<seq>"); random client ids are in the session-length table below. \
                A range (a–b) means the requests of a configuration differed.

                """ + t.render() + "\n";
    }

    // ---- B: raw PutItem baseline ----------------------------------------------------------------

    private String rawBaseline(List<Map<String, AttributeValue>> sameItems) {
        // The same items the appends above wrote, as unconditional PutItems, one call per item, under another
        // tenant of the same key length so that every put creates a new item of the same size.
        List<Map<String, AttributeValue>> items = new ArrayList<>(sameItems.size());
        for (Map<String, AttributeValue> item : sameItems) {
            Map<String, AttributeValue> copy = new HashMap<>(item);
            String pk = item.get("pk").s();
            copy.put("pk", AttributeValue.fromS(RAW_TENANT + pk.substring(TENANT.length())));
            items.add(copy);
        }
        java.util.Collections.shuffle(items, new java.util.Random(11));
        Benchmarks.progress("append: raw PutItem of %d items", items.size());
        long deadline = System.nanoTime() + (long) (Math.max(2, options.secondsPerConfig() * 2) * 1e9);
        long nanos = 0;
        int done = 0;
        CapacityModel.Cost cost = CapacityModel.Cost.ZERO;
        double reported = 0;
        for (int i = 0; i < items.size() && (i < 200 || System.nanoTime() < deadline); i++) {
            Map<String, AttributeValue> item = items.get(i);
            calls.start();
            long t0 = System.nanoTime();
            dynamo.putItem(b -> b.tableName(table).item(item).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            nanos += System.nanoTime() - t0;
            List<BenchCalls.Call> made = calls.stop();
            for (BenchCalls.Call c : made) {
                cost = cost.plus(c.model());
                reported += c.reported();
            }
            done++;
        }
        double rawRate = done / (nanos / 1e9);
        long over1k = sameItems.stream().filter(i -> CapacityModel.itemSize(i) > 1024).count();
        double meanItem = sameItems.stream().mapToInt(CapacityModel::itemSize).average().orElse(Double.NaN);
        Table t = new Table(">events/request", "expected_seq", "event ids", ">append events/s", ">raw PutItem events/s",
                ">append / raw", ">append WCU/event", ">raw WCU/event");
        double rawWcuPerEvent = cost.wcu() / done;
        for (Map.Entry<String, Stats> e : main.entrySet()) {
            String[] k = e.getKey().split("/");
            Stats st = e.getValue();
            t.row(k[0], Boolean.parseBoolean(k[1]) ? "given" : "no", k[2].equals("NONE") ? "none" : "client, ordered",
                    Table.rate(st.eventsPerSecond()), Table.rate(rawRate),
                    String.format(Locale.ROOT, "%.2f", st.eventsPerSecond() / rawRate), st.wcuPerEvent(),
                    Table.num(rawWcuPerEvent, 2));
        }
        return String.format(Locale.ROOT, """
                ### Against raw PutItem of the same items

                Baseline: the %,d items the appends above wrote (captured by the interceptor), written again with \
                unconditional PutItem, one call per item, on the same moto in the same run (under another \
                tenant so that each put creates a new item of the same size): **%s events/s**, %.3f ms per call, \
                %.2f WCU per event computed (moto reported %s unit per put: its flat figure, not AWS's). Of the %,d \
                items the appends wrote, %.1f%% are larger than 1 KB (2 WCU, 4 in a \
                transaction); the mean item is %,.0f bytes. Only the ratio of the rates says something about the \
                code, and only relative to moto; moto's absolute speed is not AWS's.

                """, done, Table.rate(rawRate), nanos / 1e6 / done, rawWcuPerEvent, Table.num(reported / done, 2),
                sameItems.size(), 100.0 * over1k / sameItems.size(), meanItem) + t.render() + "\n";
    }

    // ---- C: session length -----------------------------------------------------------------------

    private String sessionLength() {
        int k = options.quick() ? 1 : 3;
        List<Integer> lengths = options.lengths();
        int[] sizes = {1, 10, 100};
        List<String> columns = new ArrayList<>();
        columns.add("fresh (0)");
        lengths.forEach(l -> columns.add(String.format(Locale.ROOT, "%,d", l)));
        // row key -> column -> stats
        Map<String, Map<String, Stats>> cells = new LinkedHashMap<>();
        Map<String, Double> rates = new LinkedHashMap<>();

        // Fresh sessions: the first append of each configuration, k sessions each.
        for (Ids ids : Ids.values()) {
            for (int n : sizes) {
                for (boolean expected : new boolean[] {false, true}) {
                    Stats st = new Stats();
                    for (int i = 0; i < k; i++) {
                        Session s = newSession("fresh");
                        st.add(append(s, request(s, n, ids, expected, poolStart(ids, n, expected, i))));
                    }
                    cells.computeIfAbsent(rowKey(ids, n, expected), x -> new LinkedHashMap<>()).put(columns.get(0), st);
                }
            }
        }
        Benchmarks.progress("append: fresh sessions measured");

        // One session per id scheme that grows through the lengths; server ids are random UUIDs too, so the
        // UUID session also takes the appends without ids.
        Session ordered = newSession("long-ordered");
        Session uuids = newSession("long-uuid");
        String boundary = null;
        for (int li = 0; li < lengths.size(); li++) {
            int length = lengths.get(li);
            String column = columns.get(li + 1);
            long t0 = System.nanoTime();
            if (boundary == null && ordered.head < length - 10 && isPowerOfTen(length)) {
                // Ordered ids that are not zero-padded: a batch that crosses a power of ten ("e-991" … "e-1000")
                // spans almost every stored id in string order.
                fill(ordered, length - 10, Ids.ORDERED);
                Sample crossing = append(ordered, request(ordered, 10, Ids.ORDERED, false));
                boundary = String.format(Locale.ROOT, "e-%d … e-%d on a session of %,d events: %d calls (%s), %s RCU",
                        length - 9, length, length - 10, crossing.dynamoCalls(), BenchCalls.breakdown(crossing.calls()),
                        Table.num(crossing.model().rcu(), 1));
            }
            fill(ordered, length, Ids.ORDERED);
            fill(uuids, length, Ids.NONE);
            Benchmarks.progress("append: sessions filled to %,d events in %.1f s", length, (System.nanoTime() - t0) / 1e9);
            for (int n : sizes) {
                for (boolean expected : new boolean[] {false, true}) {
                    for (Ids ids : Ids.values()) {
                        Session s = ids == Ids.ORDERED ? ordered : uuids;
                        Stats st = new Stats();
                        for (int i = 0; i < k; i++) {
                            st.add(append(s, request(s, n, ids, expected, poolStart(ids, n, expected, i))));
                        }
                        cells.computeIfAbsent(rowKey(ids, n, expected), x -> new LinkedHashMap<>()).put(column, st);
                    }
                }
            }
            // Rate on this length: 10-event appends, ordered ids, no expected_seq.
            Stats st = measure(ordered, 10, Ids.ORDERED, false, 2, Math.min(1.5, options.secondsPerConfig()), 5, 500);
            rates.put(column, st.eventsPerSecond());
            Benchmarks.progress("append: length %,d measured (%.0f events/s)", length, st.eventsPerSecond());
        }
        Session fresh = newSession("rate-fresh");
        Stats freshRate = measure(fresh, 10, Ids.ORDERED, false, 2, Math.min(1.5, options.secondsPerConfig()), 5, 500);

        List<String> header = new ArrayList<>(List.of("event ids", ">events/request", "expected_seq"));
        columns.forEach(c -> header.add(">" + c + ": calls · RCU · WCU"));
        Table t = new Table(header.toArray(String[]::new));
        List<String> grew = new ArrayList<>();
        List<String> wcuChanged = new ArrayList<>();
        for (Map.Entry<String, Map<String, Stats>> row : cells.entrySet()) {
            String[] key = row.getKey().split("/");
            List<Object> cellsOfRow = new ArrayList<>(List.of(Ids.valueOf(key[0]).label, key[1],
                    Boolean.parseBoolean(key[2]) ? "given" : "no"));
            Stats first = row.getValue().get(columns.get(1));
            for (String c : columns) {
                Stats st = row.getValue().get(c);
                cellsOfRow.add(st.calls() + " · " + st.rcu() + " · " + Table.num(st.mean(s -> s.model().wcu()), 1));
            }
            t.row(cellsOfRow.toArray());
            Stats last = row.getValue().get(columns.get(columns.size() - 1));
            String label = Ids.valueOf(key[0]).label + ", " + key[1] + " events, expected_seq "
                    + (Boolean.parseBoolean(key[2]) ? "given" : "no");
            if (last.maxCalls() > first.maxCalls()
                    || last.mean(s -> s.model().rcu()) > first.mean(s -> s.model().rcu()) + 1e-9) {
                grew.add(label);
            }
            if (Math.abs(last.mean(s -> s.model().wcu()) - first.mean(s -> s.model().wcu())) > 1e-9) {
                wcuChanged.add(label);
            }
        }
        StringBuilder rateLine = new StringBuilder("fresh session " + Table.rate(freshRate.eventsPerSecond()));
        rates.forEach((c, r) -> rateLine.append(", ").append(c).append(" events ").append(Table.rate(r)));

        return String.format(Locale.ROOT, """
                ### Does anything grow with the session's length?

                The same appends on a fresh session (its first append; %d fresh sessions per row) and on sessions \
                already holding the given number of events (%d requests per cell, one after the other, so the \
                session grows a little while measured). One session with ordered client ids ("e-<seq>") and one \
                whose stored ids are random UUIDs (appends with random client ids or without ids go to it). Cells: \
                DynamoDB calls per request · RCU per request · WCU per request (table + index), computed as above.

                """, k, k) + t.render() + String.format(Locale.ROOT, """

                Between the first and the last length, calls or read units grew for: %s. Every column of a row \
                appends the same event bodies; write units differ between the first and the last length for: %s.

                Rate of 10-event appends with ordered ids on the same moto (events/s): %s.

                #### Client event_id lookup: ordered vs random ids

                The id check reads the by_event_id range [smallest id, largest id] of the batch with a limit of \
                2n+16 entries; when the range holds more, it looks every id up with its own query. Ordered ids keep \
                the range small; random UUIDs spread the batch over the whole id space, so once the session holds \
                more than 2n+16 events the range read is wasted and each id costs a query. A single event is always \
                one point query. Below: the by_event_id queries of one request (without expected_seq) · their RCU · \
                all DynamoDB calls of the request, from the table above.

                """, grew.isEmpty() ? "nothing" : String.join("; ", grew),
                wcuChanged.isEmpty() ? "none" : String.join("; ", wcuChanged), rateLine)
                + idLookupTable(cells, columns, sizes) + String.format(Locale.ROOT, """

                String order is not numeric order: with counters that are not zero-padded, the batch that crosses \
                a power of ten spans almost the whole session in string order, and falls back — measured: %s.

                """, boundary == null ? "not measured (no power-of-ten length chosen)" : boundary);
    }

    private static String idLookupTable(Map<String, Map<String, Stats>> cells, List<String> columns, int[] sizes) {
        List<String> header = new ArrayList<>(List.of(">events/request"));
        for (String c : columns.subList(1, columns.size())) {
            header.add(">ordered ids, " + c + " events");
            header.add(">random UUIDs, " + c + " events");
        }
        Table t = new Table(header.toArray(String[]::new));
        for (int n : sizes) {
            List<Object> row = new ArrayList<>(List.of(n));
            for (String c : columns.subList(1, columns.size())) {
                for (Ids ids : new Ids[] {Ids.ORDERED, Ids.UUID}) {
                    Stats st = cells.get(rowKey(ids, n, false)).get(c);
                    row.add(Table.num(st.mean(Sample::idLookups), 1) + " · " + Table.num(st.mean(Sample::idLookupRcu), 1)
                            + " · " + st.calls());
                }
            }
            t.row(row.toArray());
        }
        return t.render();
    }

    /** Every column of a row appends the same bodies, so that only the session's length differs. */
    private static int poolStart(Ids ids, int n, boolean expected, int request) {
        return ((ids.ordinal() * 3 + Integer.numberOfTrailingZeros(Integer.highestOneBit(n))) * 2 + (expected ? 1 : 0))
                * 401 + request * n;
    }

    private static String rowKey(Ids ids, int n, boolean expected) {
        return ids.name() + "/" + n + "/" + expected;
    }

    private static boolean isPowerOfTen(int n) {
        long p = 10;
        while (p < n) {
            p *= 10;
        }
        return p == n;
    }

    // ---- D: large events (S3 offload) -------------------------------------------------------------

    private String largeEvents() {
        Table t = new Table("request", ">DynamoDB calls", "calls by operation (DynamoDB and S3)", ">RCU/request",
                ">WCU/request (table + index)", "stored body");
        // One event whose JSON stays above 64 KiB after gzip: its body goes to S3, the item keeps the key.
        Session s1 = newSession("large");
        fill(s1, 10, Ids.NONE);
        Sample first = append(s1, single(bigEvent(600_000)));
        large(t, "1 event of 600 KB of incompressible JSON", first, stored(first, 1, "inline"));
        // One event of 200 KB that compresses to ~150 KB: inline, gzip-compressed, billed per KB.
        Session s2 = newSession("large");
        fill(s2, 10, Ids.NONE);
        NewEvent mid = bigEvent(200_000);
        Sample second = append(s2, single(mid));
        large(t, "1 event of 200 KB of incompressible JSON", second, stored(second, 1,
                String.format(Locale.ROOT, "%,d bytes gzip inline", EventBodyCodec.gzip(mid.body()).length)));
        // The next append reads the head with a Query, which is billed on the whole head item, body included.
        large(t, "then 1 small event (the head item is the 200 KB event's)", append(s2, request(s2, 1, Ids.NONE, false)),
                "inline");
        // Sixteen events of 300 KB: together more than the 3.5 MB a transaction may carry, so the largest go to S3.
        Session s3 = newSession("large");
        fill(s3, 10, Ids.NONE);
        List<NewEvent> many = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            many.add(bigEvent(300_000));
        }
        Sample batch = append(s3, new AppendRequest(many, OptionalLong.empty()));
        large(t, "16 events of 300 KB of incompressible JSON", batch, stored(batch, many.size(), "gzip inline"));
        return """
                ### Large events

                Bodies of 1 KiB or more are stored gzip-compressed; a body still above 64 KiB compressed goes to S3 \
                (the item keeps its key), and so do the largest bodies of a batch whose bodies exceed 3.5 MB \
                together. The S3 PutObject happens before the DynamoDB write; it is not a DynamoDB call. Capacity \
                computed as above.

                """ + t.render() + "\n";
    }

    private static AppendRequest single(NewEvent event) {
        return new AppendRequest(List.of(event), OptionalLong.empty());
    }

    /** Where the request's bodies went, from its S3 PutObjects (one per body sent to S3). */
    private static String stored(Sample sample, int events, String inline) {
        long toS3 = sample.calls().stream().filter(c -> "PutObject".equals(c.operation())).count();
        if (toS3 == 0) {
            return inline;
        }
        if (toS3 == events) {
            return events == 1 ? "S3 key only" : "S3 keys only";
        }
        return "gzip inline, the largest " + toS3 + " to S3";
    }

    private static void large(Table t, String what, Sample sample, String stored) {
        t.row(what, sample.dynamoCalls(), BenchCalls.breakdown(sample.calls()), Table.num(sample.model().rcu(), 0),
                Table.num(sample.model().tableWcu(), 0) + " + " + Table.num(sample.model().indexWcu(), 0), stored);
    }

    private NewEvent bigEvent(int bytes) {
        byte[] raw = new byte[bytes * 3 / 4];
        random.nextBytes(raw);
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("type", "ToolExecutionEnd").put("loop_id", "bench.large.0").put("tool_call_id", "toolu_big")
                .put("tool_name", "read_file");
        e.putObject("result").putArray("content").addObject().put("type", "text")
                .put("text", Base64.getEncoder().encodeToString(raw));
        return new NewEvent(null, null, e, Json.bytes(e));
    }
}
