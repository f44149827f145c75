package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.bench.CostBench.Invocation;
import dev.sessionlog.bench.CostBench.Mode;
import dev.sessionlog.bench.CostBench.ModeRun;
import dev.sessionlog.bench.CostBench.Part;
import dev.sessionlog.event.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The cost section's report: the workload, the units, the dollars per million events, the arithmetic, the goals. */
final class CostReport {

    /** S3 request classes: class 1 (PUT, COPY, POST, LIST) and class 2 (GET, HEAD); DELETE is free. */
    static final Set<String> S3_CLASS1 = Set.of("PutObject", "CopyObject", "ListObjectsV2", "ListObjects", "ListObjectVersions",
            "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "PutObjectRetention", "PutObjectLegalHold",
            "PutObjectTagging");
    static final Set<String> S3_CLASS2 = Set.of("GetObject", "HeadObject", "GetObjectRetention", "GetObjectTagging");
    static final Set<String> S3_FREE = Set.of("DeleteObject", "DeleteObjects");

    private CostReport() {
    }

    /** The summed figures of a part's invocations. */
    record Sums(int invocations, long dynamoCalls, double rcu, double tableWcu, double indexWcu, long s3Class1, long s3Class2,
                long s3Free, double wallMs, double unionMs, double awsLatencyMs, double awsBilledMs, double measuredBilledMs,
                int memoryMb, long transactions, Map<String, Integer> ops) {

        double wcu() {
            return tableWcu + indexWcu;
        }

        double dynamoDollars() {
            return rcu * CostBench.DDB_RRU_PER_MILLION / 1e6 + wcu() * CostBench.DDB_WRU_PER_MILLION / 1e6;
        }

        double s3Dollars() {
            return s3Class1 * CostBench.S3_CLASS1_PER_1000 / 1000 + s3Class2 * CostBench.S3_CLASS2_PER_1000 / 1000;
        }

        double gbSeconds() {
            return awsBilledMs / 1000 * memoryMb / 1024.0;
        }

        double measuredGbSeconds() {
            return measuredBilledMs / 1000 * memoryMb / 1024.0;
        }

        double lambdaDollars() {
            return gbSeconds() * CostBench.LAMBDA_GB_SECOND_ARM;
        }
    }

    static int memory(Part p) {
        return switch (p) {
            case APPEND -> CostBench.APPEND_MB;
            case RECORDER -> CostBench.RECORDER_MB;
            case SCHEDULED -> CostBench.SCHEDULED_MB;
            case EXPIRY -> CostBench.RECORDER_MB;
            case FANOUT -> CostBench.FAN_OUT_MB;
        };
    }

    /** Days an event's item is kept in DynamoDB: the 24 h hot window, then the grace until TTL deletes it. */
    static final double HOT_DAYS = 1 + CostBench.GRACE_DAYS;

    static Sums sums(ModeRun run, Part p) {
        int mb = memory(p);
        double factor = CostBench.CPU_FACTOR_AT_1024 * 1024.0 / mb;
        long dynamoCalls = 0;
        double rcu = 0;
        double tableWcu = 0;
        double indexWcu = 0;
        long c1 = 0;
        long c2 = 0;
        long free = 0;
        double wall = 0;
        double union = 0;
        double latency = 0;
        double billed = 0;
        double measuredBilled = 0;
        long tx = 0;
        Map<String, Integer> ops = new TreeMap<>();
        List<Invocation> list = run.of(p);
        for (Invocation inv : list) {
            BenchStack.Measured m = inv.measured();
            double invLatency = 0;
            for (BenchCalls.Call c : m.calls()) {
                boolean dynamo = BenchCalls.DYNAMO.equals(c.service());
                ops.merge((dynamo ? "" : "S3.") + c.operation(), 1, Integer::sum);
                rcu += c.model().rcu();
                tableWcu += c.model().tableWcu();
                indexWcu += c.model().indexWcu();
                if (dynamo) {
                    dynamoCalls++;
                    tx += "TransactWriteItems".equals(c.operation()) ? 1 : 0;
                } else if (S3_CLASS2.contains(c.operation())) {
                    c2++;
                } else if (S3_FREE.contains(c.operation())) {
                    free++;
                } else {
                    c1++; // class 1, and any other operation priced as one (none seen so far)
                }
                invLatency += awsLatencyMs(c);
            }
            double wallMs = m.nanos() / 1e6;
            double unionMs = unionNanos(m.calls()) / 1e6;
            double cpuMs = Math.max(0, wallMs - unionMs);
            wall += wallMs;
            union += unionMs;
            latency += invLatency;
            billed += Math.max(1, Math.ceil(cpuMs * factor + invLatency));
            measuredBilled += Math.max(1, Math.ceil(wallMs));
        }
        return new Sums(list.size(), dynamoCalls, rcu, tableWcu, indexWcu, c1, c2, free, wall, union, latency, billed,
                measuredBilled, mb, tx, ops);
    }

    /**
     * Typical in-region latencies from Lambda, the lifecycle section's assumptions: a single-item DynamoDB
     * call 5 ms, a Query 5 ms plus 15 ms per MB read, BatchWriteItem 10 ms, TransactWriteItems 15 ms;
     * S3 PUT 30 ms, GET 20 ms, LIST 20 ms, DeleteObjects 50 ms.
     */
    static double awsLatencyMs(BenchCalls.Call c) {
        if (BenchCalls.DYNAMO.equals(c.service())) {
            return switch (c.operation()) {
                case "Query", "Scan" -> 5 + 15 * (c.model().rcu() * 4096 / 1e6);
                case "TransactWriteItems" -> 15;
                case "BatchWriteItem", "BatchGetItem" -> 10;
                default -> 5;
            };
        }
        return switch (c.operation()) {
            case "PutObject", "CopyObject" -> 30;
            case "DeleteObjects" -> 50;
            default -> 20;
        };
    }

    /** The time in which at least one call was under way. */
    static long unionNanos(List<BenchCalls.Call> calls) {
        List<BenchCalls.Call> sorted = new ArrayList<>(calls);
        sorted.sort(Comparator.comparingLong(BenchCalls.Call::started));
        long total = 0;
        long from = Long.MIN_VALUE;
        long to = Long.MIN_VALUE;
        for (BenchCalls.Call c : sorted) {
            long s = c.started();
            long e = s + c.nanos();
            if (s > to) {
                total += to - from;
                from = s;
                to = e;
            } else {
                to = Math.max(to, e);
            }
        }
        return total + (to - from);
    }

    /** All the dollars of a mode, by line, for the events of the run. */
    record Dollars(Map<String, Double> lines, double total, double apiRequests, double lambdaRequests, double ddbGbMonth,
                   double s3GbMonth) {
    }

    static Dollars dollars(ModeRun run) {
        Map<String, Double> lines = new java.util.LinkedHashMap<>();
        Sums a = sums(run, Part.APPEND);
        Sums r = sums(run, Part.RECORDER);
        Sums s = sums(run, Part.SCHEDULED);
        Sums x = sums(run, Part.EXPIRY);
        Sums f = sums(run, Part.FANOUT);
        lines.put("append: DynamoDB", a.dynamoDollars());
        lines.put("append: S3 requests", a.s3Dollars());
        lines.put("recorder: DynamoDB", r.dynamoDollars());
        lines.put("recorder: S3 requests", r.s3Dollars());
        lines.put("archival (scheduled run): DynamoDB", s.dynamoDollars());
        lines.put("archival (scheduled run): S3 requests", s.s3Dollars());
        lines.put("TTL's deletions (recorder function): DynamoDB", x.dynamoDollars());
        lines.put("TTL's deletions (recorder function): S3 requests", x.s3Dollars());
        lines.put("fan-out (nobody follows): DynamoDB", f.dynamoDollars());
        lines.put("reads (GET by clients)", 0.0);
        double api = 0;
        for (Invocation inv : run.of(Part.APPEND)) {
            api += Math.max(1, (inv.requestBytes() + CostBench.API_METER_BYTES - 1) / CostBench.API_METER_BYTES);
        }
        lines.put("API Gateway (HTTP API)", api * CostBench.API_PER_MILLION / 1e6);
        double invocations = a.invocations() + r.invocations() + s.invocations() + x.invocations() + f.invocations();
        lines.put("Lambda requests", invocations * CostBench.LAMBDA_REQUESTS_PER_MILLION / 1e6);
        lines.put("Lambda GB-s: append", a.lambdaDollars());
        lines.put("Lambda GB-s: recorder", r.lambdaDollars());
        lines.put("Lambda GB-s: scheduled", s.lambdaDollars());
        lines.put("Lambda GB-s: TTL's deletions", x.lambdaDollars());
        lines.put("Lambda GB-s: fan-out", f.lambdaDollars());
        double ddbGbMonth = (run.hotDynamoBytes() * HOT_DAYS + run.afterDynamoBytes() * (30.0 - HOT_DAYS)
                + run.sessionsTableBytes() * 30.0) / 30 / CostBench.GB;
        double s3GbMonth = (run.s3Bytes() + run.checkpointBytes()) / CostBench.GB;
        lines.put("storage 30 days: DynamoDB", ddbGbMonth * CostBench.DDB_GB_MONTH);
        lines.put("storage 30 days: S3", s3GbMonth * CostBench.S3_GB_MONTH);
        double scale = 1e6 / run.events();
        Map<String, Double> perMillion = new java.util.LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<String, Double> e : lines.entrySet()) {
            perMillion.put(e.getKey(), e.getValue() * scale);
            total += e.getValue() * scale;
        }
        return new Dollars(perMillion, total, api, invocations, ddbGbMonth, s3GbMonth);
    }

    static String money(double v) {
        return v == 0 ? "0" : v < 0.01 ? String.format(Locale.ROOT, "%.4f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    static String n(double v, int decimals) {
        return Table.num(v, decimals);
    }

    // ---- the report --------------------------------------------------------------------------------

    static String render(Benchmarks.Options options, List<CostWorkload.Session> runs, List<ModeRun> results) {
        StringBuilder out = new StringBuilder("## Cost per million events\n\n");
        out.append(workload(options, runs, results));
        out.append(units(results));
        out.append(lambda(results));
        out.append(perMillion(results));
        out.append(arithmetic(results));
        out.append(goals(results));
        return out.toString();
    }

    private static String workload(Benchmarks.Options options, List<CostWorkload.Session> runs, List<ModeRun> results) {
        Map<String, long[]> byType = new TreeMap<>(); // count, bytes, max
        long turns = 0;
        for (CostWorkload.Session s : runs) {
            turns += s.turns().size();
            for (CostWorkload.Turn t : s.turns()) {
                for (CostWorkload.Timed e : t.events()) {
                    ObjectNode ev = e.event();
                    int bytes = Json.bytes(ev).length;
                    long[] v = byType.computeIfAbsent(ev.get("type").asText(), k -> new long[3]);
                    v[0]++;
                    v[1] += bytes;
                    v[2] = Math.max(v[2], bytes);
                }
            }
        }
        long events = runs.stream().mapToLong(CostWorkload.Session::events).sum();
        Table t = new Table("event type", ">events", ">share", ">mean bytes", ">max bytes");
        long allBytes = 0;
        for (Map.Entry<String, long[]> e : byType.entrySet()) {
            long[] v = e.getValue();
            allBytes += v[1];
            t.row(e.getKey(), n(v[0], 0), CostBench.percent(v[0] / (double) events), n(v[1] / (double) v[0], 0), n(v[2], 0));
        }
        t.row("all", n(events, 0), "100%", n(allBytes / (double) events, 0), "");
        ModeRun first = results.get(0);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, """
                Setup: for each way of sending, a fresh stack: moto (DynamoDB, the project's launcher, one request at a \
                time) and S3Proxy in this JVM, both tables from template.yaml, the product's Components on a simulated \
                clock with the template's defaults (hot window 24 h, 1,000 events per archive object, 100 requests a \
                second per tenant). %d sessions (`-Dbench.costSessions`), each its own tenant, replay %d loops each \
                (`-Dbench.costLoops`) of a generated phi-core run (CostWorkload): %,d turns, %,d events, %s of event \
                JSON in all (%s gzipped, %s). Each loop has 1-5 tool-using turns and a final answer; every turn a \
                TurnRequest with the loop's conversation so far, the assistant's text streamed in MessageUpdates of \
                3-12 words, tool results of 1-6 KB. Text: a synthetic Zipf vocabulary and source-like lines (they gzip \
                about as real text does).

                Pacing, on the simulated clock (nothing sleeps): a turn's events 10-60 ms apart, 200-500 ms from a \
                turn's end to the next turn (turns start about a second apart), 2-4 s between loops, sessions started \
                137 ms apart; %.0f s of agent time. All requests are sent in time order, one at a time (each session \
                has one writer; moto serves one request at a time anyway). **One event per request** sends each \
                event when it is emitted; **one turn per request** sends a turn's events when the turn ends (a loop's \
                AgentStart with its first turn, AgentEnd with its last). %s

                The recorder gets what Lambda's event source mapping would give it: the events table's stream, read \
                from moto with the local runner's StreamPoller, records left out by the template's FilterCriteria \
                dropped, in batches cut by its MaximumBatchingWindowInSeconds (%d, the template's \
                RecorderBatchingWindowSeconds) and BatchSize (500): a batch opens at the first record after the last \
                invocation and closes %d s of agent time later (or at 500 records, or 6 MB). That is how pacing shows in the cost: the number of batches a session's events fall into \
                is the number of times its state is read and saved. One shard is assumed (a small table); with more \
                shards each session's records still go to one shard, so the saves stay the same and only the \
                invocations could grow. Lambda's own time (invocation, retries) is not on the clock. Then the \
                scheduled function's work (idle sweep, archival, orphan sweep) runs once, 24 h 5 min after the last \
                event: it archives every event in one run (here %,d of %,d; the stream records it makes: %d pass the \
                filter). Before all that, each stack is warmed up on two sessions of its own (one sent each way, \
                recorded, archived) three days earlier, not counted.

                """, runs.size(), options.costLoops(), turns, events, mb(first.bodyBytes()), mb(first.gzipBodyBytes()),
                CostBench.percent(first.gzipBodyBytes() / (double) first.bodyBytes()),
                runs.stream().mapToLong(s -> s.turns().get(s.turns().size() - 1).end()).max().orElse(0) / 1000.0,
                options.costIds() ? "Every event carries an `event_id` as the clients make them (UUIDv7, ordered by "
                        + "time; `-Dbench.costIds=true`), so every append checks its ids."
                        : "The events carry no `event_id` (the server makes them, no id is checked; `-Dbench.costIds=true` "
                        + "sends UUIDv7 ids as the clients do).",
                CostBench.batchingWindowSeconds(options), CostBench.batchingWindowSeconds(options),
                first.eventsArchived(), first.events(), first.filteredAfterArchival()));
        b.append("The events (bytes of their JSON as sent, compact):\n\n").append(t.render()).append('\n');
        Table r = new Table("sent as", ">append requests", ">events per request", ">mean request bytes",
                ">API Gateway requests (512 KB units)", ">recorder batches", ">records per batch", ">state saves",
                ">events per save");
        for (ModeRun run : results) {
            Sums rec = sums(run, Part.RECORDER);
            long bytes = run.of(Part.APPEND).stream().mapToLong(Invocation::requestBytes).sum();
            int saves = rec.ops().getOrDefault("PutItem", 0);
            r.row(run.mode().label, n(run.appendRequests(), 0), n(run.events() / (double) run.appendRequests(), 1),
                    n(bytes / (double) run.appendRequests(), 0), n(dollars(run).apiRequests(), 0), n(run.recorderBatches(), 0),
                    n(run.events() / (double) run.recorderBatches(), 1), n(saves, 0), n(run.events() / (double) saves, 1));
        }
        b.append(r.render()).append('\n');
        b.append("\"state saves\": the recorder's PutItems (its state item, one per session per batch).\n\n");
        return b.toString();
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String units(List<ModeRun> results) {
        Table t = new Table("sent as", "part", ">invocations", ">DynamoDB calls per event", "calls by operation (whole run)",
                ">RCU per event", ">WCU per event (table + index)", ">S3 requests per event (class 1 + class 2)");
        for (ModeRun run : results) {
            for (Part p : Part.values()) {
                Sums s = sums(run, p);
                double e = run.events();
                t.row(run.mode().label, partName(p), n(s.invocations(), 0), n(s.dynamoCalls() / e, 2), ops(s.ops()),
                        n(s.rcu() / e, 2), n(s.wcu() / e, 2) + " (" + n(s.tableWcu() / e, 2) + " + " + n(s.indexWcu() / e, 2) + ")",
                        n((s.s3Class1() + s.s3Class2()) / e, 3) + " (" + n(s.s3Class1() / e, 3) + " + " + n(s.s3Class2() / e, 3) + ")");
            }
            Sums a = sums(run, Part.APPEND);
            Sums r = sums(run, Part.RECORDER);
            Sums s = sums(run, Part.SCHEDULED);
            Sums x = sums(run, Part.EXPIRY);
            Sums f = sums(run, Part.FANOUT);
            double e = run.events();
            t.row(run.mode().label, "**all**", n(a.invocations() + r.invocations() + s.invocations() + x.invocations() + f.invocations(), 0),
                    n((a.dynamoCalls() + r.dynamoCalls() + s.dynamoCalls() + x.dynamoCalls() + f.dynamoCalls()) / e, 2), "",
                    "**" + n((a.rcu() + r.rcu() + s.rcu() + x.rcu() + f.rcu()) / e, 2) + "**",
                    "**" + n((a.wcu() + r.wcu() + s.wcu() + x.wcu() + f.wcu()) / e, 2) + "**", "");
        }
        return """
                ### Calls and capacity units per event

                Counted by BenchCalls on the product's clients; RCU and WCU **computed** by CapacityModel from the \
                items (1 WCU per started KB per item, ×2 in a transaction, a ConditionCheck 2; an index entry 1 WCU \
                per started KB when it appears, changes or goes; a replaced item billed on the larger of old and new; \
                a failed condition on the existing item; reads 1 RCU per started 4 KB per call, consistent, half \
                eventually consistent). "part": the append function (every request), the recorder (every batch), \
                archival (the scheduled function's one run), TTL's deletions (the recorder function on the REMOVE \
                records TTL makes hot window + grace after each event; the deletions themselves are free). S3 class 1 = PUT, COPY, LIST; class 2 = GET, HEAD; \
                deletes are free.

                """ + t.render() + "\n";
    }

    private static String partName(Part p) {
        return switch (p) {
            case APPEND -> "append";
            case RECORDER -> "recorder";
            case SCHEDULED -> "archival (scheduled run)";
            case EXPIRY -> "TTL's deletions (recorder function)";
            case FANOUT -> "fan-out (sessions nobody follows)";
        };
    }

    private static String ops(Map<String, Integer> ops) {
        List<String> parts = new ArrayList<>();
        ops.forEach((op, c) -> parts.add(BenchCalls.abbreviate(op) + "×" + c));
        return String.join(" + ", parts);
    }

    private static String lambda(List<ModeRun> results) {
        Table t = new Table("sent as", "function (MemorySize)", ">invocations", ">ms measured (moto)", ">ms in calls",
                ">ms outside calls (CPU here)", ">AWS latency of its calls, ms", ">estimated ms on AWS", ">GB-s per M events (estimate)",
                ">GB-s per M events (as measured)");
        for (ModeRun run : results) {
            for (Part p : Part.values()) {
                Sums s = sums(run, p);
                double k = Math.max(1, s.invocations());
                double scale = 1e6 / run.events();
                t.row(run.mode().label, partName(p) + " (" + s.memoryMb() + " MB)", n(s.invocations(), 0), n(s.wallMs() / k, 1),
                        n(s.unionMs() / k, 1), n(Math.max(0, s.wallMs() - s.unionMs()) / k, 1), n(s.awsLatencyMs() / k, 1),
                        n(s.awsBilledMs() / k, 1), n(s.gbSeconds() * scale, 0), n(s.measuredGbSeconds() * scale, 0));
            }
        }
        return String.format(Locale.ROOT, """
                ### Lambda: invocations and durations

                Each invocation's handler is timed in this JVM (mean per invocation below): the append function's \
                `AppendHandler.handle` on the API Gateway event, the recorder's `StreamEventHandler` on the Lambda \
                event JSON (the record's parse included), the scheduled function's `ScheduledWork.run`; warm (no cold \
                start or SnapStart restore is counted). The time measured here is not AWS's: every call goes to moto \
                (2-4 ms a call, queries much more, see "What moto's speed means") or to S3Proxy in this JVM. So the \
                **estimate** used for the dollars is: the time outside AWS calls (the wall time minus the time in \
                which a call was under way: the handler's CPU, on a full core here, C2-compiled), times %.0f at \
                1,024 MB and %.0f at 1,536 MB (Lambda gives CPU in proportion to memory, 1 vCPU at 1,769 MB, and the \
                functions run C1 only; the lifecycle section's ×3 at 1,024 MB), plus each call's typical latency from \
                Lambda in region (a single-item DynamoDB call 5 ms, a Query 5 ms plus 15 ms per MB, TransactWriteItems \
                15 ms, BatchWriteItem 10 ms, S3 PUT 30 ms, GET and LIST 20 ms, DeleteObjects 50 ms), rounded up to \
                the millisecond per invocation as Lambda bills. The recorder folds up to 8 sessions at once and its \
                calls overlap on AWS; the estimate adds them up, an upper bound. "as measured" prices the wall \
                time measured here instead, for comparison.

                """, CostBench.CPU_FACTOR_AT_1024, CostBench.CPU_FACTOR_AT_1024 * 1024 / CostBench.RECORDER_MB) + t.render() + "\n";
    }

    private static String perMillion(List<ModeRun> results) {
        List<String> cols = new ArrayList<>(List.of("part"));
        List<Dollars> ds = new ArrayList<>();
        for (ModeRun run : results) {
            cols.add(">" + run.mode().label + ", $");
            ds.add(dollars(run));
        }
        Table t = new Table(cols.toArray(String[]::new));
        for (String line : ds.get(0).lines().keySet()) {
            List<Object> row = new ArrayList<>(List.of(line));
            for (Dollars d : ds) {
                row.add(money(d.lines().get(line)));
            }
            t.row(row.toArray());
        }
        List<Object> total = new ArrayList<>(List.of("**total**"));
        for (Dollars d : ds) {
            total.add("**" + money(d.total()) + "**");
        }
        t.row(total.toArray());
        List<Object> wcu = new ArrayList<>(List.of("DynamoDB WCU per event (all parts)"));
        List<Object> rcu = new ArrayList<>(List.of("DynamoDB RCU per event (all parts)"));
        for (ModeRun run : results) {
            double w = 0;
            double r = 0;
            for (Part p : Part.values()) {
                w += sums(run, p).wcu();
                r += sums(run, p).rcu();
            }
            wcu.add(n(w / run.events(), 2));
            rcu.add(n(r / run.events(), 2));
        }
        t.row(wcu.toArray());
        t.row(rcu.toArray());
        return """
                ### Dollars per million events

                us-east-1 list prices, on-demand, as the rest of this document uses them: DynamoDB $0.625 per \
                million write request units, $0.125 per million read request units, $0.25 per GB-month; S3 Standard \
                $0.005 per 1,000 PUT/COPY/LIST, $0.0004 per 1,000 GET/HEAD, $0.023 per GB-month; API Gateway HTTP \
                API $1.00 per million requests (metered per 512 KB); Lambda $0.20 per million requests and \
                $0.0000133334 per GB-second (arm64); no free tier. Lambda's GB-seconds are the estimate above. \
                Storage: what the run leaves, kept 30 days: the events' hot items and their index entries (item + \
                100 bytes each) for the 24 h hot window and the 7-day grace after it (TTL deletes them then), what \
                stays in the events table after that (the archive's state item, children's links) for the other 22 \
                days, the session's state items (sessions table, with its index entries) for 30 days, and every \
                object written to S3 (archive, large bodies, states, checkpoints) for 30 days. Not counted: \
                CloudWatch Logs and metrics, DynamoDB Streams reads by Lambda (free), data transfer, and the \
                scheduled functions' runs that find nothing to do (a fixed cost per stack, not per event).

                """ + t.render() + "\n";
    }

    private static String arithmetic(List<ModeRun> results) {
        StringBuilder b = new StringBuilder("""
                ### The arithmetic

                Per million events: the run's units (or requests, or GB-seconds, or bytes) divided by its events, times a million, times the price.

                """);
        for (ModeRun run : results) {
            double e = run.events();
            Dollars d = dollars(run);
            b.append("**").append(run.mode().label).append("** (").append(n(e, 0)).append(" events):\n\n");
            for (Part p : Part.values()) {
                Sums s = sums(run, p);
                b.append(String.format(Locale.ROOT,
                        "- %s: %s WCU / %s events = %s WCU per event × $0.625 = $%s; %s RCU / %s = %s RCU per event × $0.125 = $%s; "
                                + "S3: %s class 1 requests / %s × $5.00 per million + %s class 2 × $0.40 per million = $%s%n",
                        partName(p), n(s.wcu(), 1), n(e, 0), n(s.wcu() / e, 3), money(s.wcu() / e * CostBench.DDB_WRU_PER_MILLION),
                        n(s.rcu(), 1), n(e, 0), n(s.rcu() / e, 3), money(s.rcu() / e * CostBench.DDB_RRU_PER_MILLION),
                        n(s.s3Class1(), 0), n(e, 0), n(s.s3Class2(), 0), money(s.s3Dollars() * 1e6 / e)));
            }
            Sums a = sums(run, Part.APPEND);
            Sums r = sums(run, Part.RECORDER);
            Sums s = sums(run, Part.SCHEDULED);
            b.append(String.format(Locale.ROOT, "- API Gateway: %s metered requests / %s events × $1.00 = $%s%n",
                    n(d.apiRequests(), 0), n(e, 0), money(d.lines().get("API Gateway (HTTP API)"))));
            Sums ttl = sums(run, Part.EXPIRY);
            b.append(String.format(Locale.ROOT, "- Lambda requests: (%d + %d + %d + %d + %d) invocations / %s events × $0.20 = $%s%n",
                    a.invocations(), r.invocations(), s.invocations(), ttl.invocations(), sums(run, Part.FANOUT).invocations(), n(e, 0),
                    money(d.lines().get("Lambda requests"))));
            for (Part p : Part.values()) {
                Sums x = sums(run, p);
                b.append(String.format(Locale.ROOT,
                        "- Lambda, %s: %s billed ms (estimate) / 1,000 × %s GB = %s GB-s / %s events = %s GB-s per event × $0.0000133334 "
                                + "× 1,000,000 = $%s%n",
                        partName(p), n(x.awsBilledMs(), 0), n(x.memoryMb() / 1024.0, 1), n(x.gbSeconds(), 2), n(e, 0),
                        String.format(Locale.ROOT, "%.5f", x.gbSeconds() / e), money(x.lambdaDollars() * 1e6 / e)));
            }
            b.append(String.format(Locale.ROOT,
                    "- storage, DynamoDB: (%s bytes of items × %s days + %s bytes left after TTL × %s days + %s bytes of session "
                            + "state × 30 days) / 30 days / 2^30 = %s GB-month for %s events × $0.25 = $%s%n",
                    n(run.hotDynamoBytes(), 0), n(HOT_DAYS, 0), n(run.afterDynamoBytes(), 0), n(30 - HOT_DAYS, 0),
                    n(run.sessionsTableBytes(), 0),
                    String.format(Locale.ROOT, "%.6f", d.ddbGbMonth()), n(e, 0), money(d.lines().get("storage 30 days: DynamoDB"))));
            b.append(String.format(Locale.ROOT,
                    "- storage, S3: (%s bytes in %s objects of the archive bucket + %s bytes of checkpoints) × 1 month / 2^30 "
                            + "= %s GB-month for %s events × $0.023 = $%s%n%n",
                    n(run.s3Bytes(), 0), n(run.s3Objects(), 0), n(run.checkpointBytes(), 0),
                    String.format(Locale.ROOT, "%.6f", d.s3GbMonth()), n(e, 0), money(d.lines().get("storage 30 days: S3"))));
        }
        return b.toString();
    }

    private static String goals(List<ModeRun> results) {
        StringBuilder b = new StringBuilder("### The goals of issues 19 and 20\n\n");
        Table t = new Table("goal", "measured", "met");
        for (ModeRun run : results) {
            Dollars d = dollars(run);
            double goal = run.mode() == Mode.PER_TURN ? 1.00 : 2.50;
            t.row("all in, " + run.mode().label + ": at most $" + String.format(Locale.ROOT, "%.2f", goal) + " per million events",
                    "$" + money(d.total()), d.total() <= goal ? "yes" : "**no**");
        }
        for (ModeRun run : results) {
            Sums a = sums(run, Part.APPEND);
            double req = run.appendRequests();
            boolean wcuOk = a.wcu() <= run.appendFloorWcu() + 1e-9;
            boolean rcuOk = a.rcu() / req <= 2 + 1e-9;
            boolean txOk = a.transactions() == 0;
            t.row("append, " + run.mode().label + ": the started KBs of a request's events once + at most one index entry "
                            + "(floor on these items: " + n(run.appendFloorWcu() / req, 2) + " WCU per request); at most two "
                            + "small consistent reads; no transaction",
                    n(a.wcu() / req, 2) + " WCU, " + n(a.rcu() / req, 2) + " RCU per request; " + n(a.transactions(), 0)
                            + " transactions (" + CostBench.percent(a.transactions() / req) + " of requests)",
                    wcuOk && rcuOk && txOk ? "yes" : "**no**" + (wcuOk ? "" : " (WCU " + String.format(Locale.ROOT, "%.2f", a.wcu() / run.appendFloorWcu()) + "× the floor)"));
        }
        for (ModeRun run : results) {
            Sums s = sums(run, Part.SCHEDULED);
            Sums x = sums(run, Part.EXPIRY);
            Dollars d = dollars(run);
            double scale = 1e6 / run.events();
            double left = run.afterDynamoBytes() * (30.0 - HOT_DAYS) / 30 / CostBench.GB * CostBench.DDB_GB_MONTH * scale;
            double whole = (s.dynamoDollars() + s.s3Dollars() + s.lambdaDollars() + x.dynamoDollars() + x.s3Dollars() + x.lambdaDollars()) * scale
                    + (s.invocations() + x.invocations()) * CostBench.LAMBDA_REQUESTS_PER_MILLION / 1e6 * scale + left;
            t.row("archival, " + run.mode().label + ": no DynamoDB write per archived event; all of it at most $0.05 per million "
                            + "events (its calls and Lambda time, TTL's deletions handled, what it leaves in DynamoDB after them)",
                    n((s.wcu() + x.wcu()) / run.events(), 3) + " WCU per archived event; $" + money(whole) + " (what stays: $"
                            + money(left) + ")",
                    (s.wcu() + x.wcu()) / run.events() < 0.01 && whole <= 0.05 ? "yes" : "**no**");
        }
        for (ModeRun run : results) {
            Sums r = sums(run, Part.RECORDER);
            Dollars d = dollars(run);
            double share = d.lines().get("recorder: DynamoDB") + d.lines().get("recorder: S3 requests") + d.lines().get("Lambda GB-s: recorder");
            int saves = r.ops().getOrDefault("PutItem", 0);
            t.row("recorder, " + run.mode().label + " (issue 20): one read and one write per session per batch, the write's size "
                            + "following what changed",
                    n(r.wcu() / Math.max(1, saves), 1) + " WCU per save, " + n(r.dynamoCalls() / Math.max(1.0, saves), 1)
                            + " DynamoDB calls per save; $" + money(share) + " per million events ("
                            + CostBench.percent(share / d.total()) + " of the total)",
                    "issue 20");
        }
        b.append(t.render()).append('\n');
        return b.toString();
    }
}
