package dev.sessionlog.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a measured erasure would take on AWS for a longer session: each step's calls, scaled to the
 * target's length, at assumed AWS latencies (the BatchWriteItems 16 at a time, as IoPool runs them),
 * or the time one partition needs for the step's write units, whichever is longer, plus the erasing
 * thread's CPU time scaled to Lambda's share of a core. The assumptions are constants, printed with
 * the result; nothing here is measured on AWS.
 */
final class EraseProjection {

    /** GetItem, PutItem, UpdateItem, DeleteItem, and a Query's first round trip. */
    static final double MS_ITEM = 5;
    /** A Query's time per MB it reads (pages of at most 1 MB, each another round trip). */
    static final double MS_PER_MB_READ = 15;
    static final double MS_BATCH_WRITE = 10;
    static final double MS_TRANSACT = 15;
    static final double MS_S3_PUT = 30;
    static final double MS_S3_GET = 20;
    static final double MS_S3_LIST = 20;
    static final double MS_S3_DELETE_OBJECTS = 50;
    /** IoPool's threads: the BatchWriteItems of one step at once. */
    static final int CONCURRENCY = 16;
    /** DynamoDB's documented ceiling per partition; a session's items and their LSI entries share one. */
    static final double PARTITION_WCU_PER_S = 1_000;
    static final double PARTITION_RCU_PER_S = 3_000;
    /** Lambda at 1024 MB has about 0.6 vCPU, C1 only (template.yaml), against one core of this machine. */
    static final double CPU_FACTOR = 3;
    static final double RUN_BUDGET_S = 240;
    static final double TIMEOUT_S = 300;

    /** One step on AWS: calls, the latency-bound and partition-bound seconds, the JVM's, and the estimate. */
    record Step(String point, String what, double calls, double latencyS, double wcu, double partitionS, double cpuS) {
        double estimateS() {
            return Math.max(latencyS, partitionS) + cpuS;
        }
    }

    private final List<ErasePhases.Phase> measured;
    private final long measuredEvents;
    private final long measuredCopied;

    EraseProjection(List<ErasePhases.Phase> measured, long measuredEvents, long measuredCopied) {
        this.measured = measured;
        this.measuredEvents = measuredEvents;
        this.measuredCopied = measuredCopied;
    }

    /** The steps for a session of {@code events} with a fork that inherited {@code copied} of them. */
    List<Step> steps(long events, long copied) {
        List<Step> steps = new ArrayList<>();
        for (ErasePhases.Phase p : measured) {
            double scale = switch (p.point()) {
                case "fork-copied" -> measuredCopied == 0 ? 1 : copied / (double) measuredCopied;
                case "items-deleted" -> events / (double) measuredEvents;
                default -> 1;
            };
            double latencyMs = 0;
            for (BenchCalls.Call c : p.calls()) {
                latencyMs += latencyMs(c);
            }
            CapacityModel.Cost cost = p.cost();
            double wcu = cost.wcu() * scale;
            double partitionS = Math.max(wcu / PARTITION_WCU_PER_S, cost.rcu() * scale / PARTITION_RCU_PER_S);
            steps.add(new Step(p.point(), p.what(), p.calls().size() * scale, latencyMs * scale / 1000, wcu, partitionS,
                    p.cpuNanos() / 1e9 * scale * CPU_FACTOR));
        }
        return steps;
    }

    static double total(List<Step> steps) {
        return steps.stream().mapToDouble(Step::estimateS).sum();
    }

    /** The same, were calls' latency the only bound (no partition ceiling). */
    static double latencyOnly(List<Step> steps) {
        return steps.stream().mapToDouble(s -> s.latencyS() + s.cpuS()).sum();
    }

    static double copyS(List<Step> steps) {
        return steps.stream().filter(s -> s.point().equals("fork-copied")).mapToDouble(Step::estimateS).sum();
    }

    /** Scheduled runs until done: the copy must finish inside the first run's timeout; the deletes go on run after run. */
    static int runs(List<Step> steps) {
        double total = total(steps);
        return total <= RUN_BUDGET_S ? 1 : 1 + (int) Math.ceil((total - RUN_BUDGET_S) / RUN_BUDGET_S);
    }

    private static double latencyMs(BenchCalls.Call c) {
        if (!BenchCalls.DYNAMO.equals(c.service())) {
            return switch (c.operation()) {
                case "PutObject" -> MS_S3_PUT;
                case "GetObject" -> MS_S3_GET;
                case "DeleteObjects" -> MS_S3_DELETE_OBJECTS;
                default -> MS_S3_LIST;
            };
        }
        return switch (c.operation()) {
            case "BatchWriteItem" -> MS_BATCH_WRITE / CONCURRENCY;
            case "TransactWriteItems" -> MS_TRANSACT;
            case "Query" -> {
                double mb = c.model().rcu() * 4096 / 1e6;
                yield Math.max(1, Math.ceil(mb)) * MS_ITEM + mb * MS_PER_MB_READ;
            }
            default -> MS_ITEM;
        };
    }

    static String assumptions() {
        return String.format(Locale.ROOT, """
                Assumptions (typical in-region latencies from Lambda, not measured here): GetItem, PutItem, \
                UpdateItem, DeleteItem %.0f ms; a Query %.0f ms per page of at most 1 MB plus %.0f ms per MB read; \
                BatchWriteItem of 25 %.0f ms, %d at once (IoPool); TransactWriteItems %.0f ms; S3 PUT %.0f ms, GET \
                %.0f ms, LIST %.0f ms, DeleteObjects %.0f ms. A session is one partition key, and a table with a local \
                secondary index keeps a key's items together (its 10 GB item-collection limit), so a step's writes \
                are bounded by one partition's %,.0f WCU/s (and reads by %,.0f RCU/s), counting the by_event_id \
                entries with the items: a step takes the longer of its latency and its write units / %,.0f. The \
                erasing thread's CPU time is multiplied by %.0f (Lambda at 1024 MB ≈ 0.6 vCPU, C1 only, against a \
                core here). Steps scale with the events they touch (the copy with the events copied, the deletes \
                with the session's items); the others stay as measured.""",
                MS_ITEM, MS_ITEM, MS_PER_MB_READ, MS_BATCH_WRITE, CONCURRENCY, MS_TRANSACT, MS_S3_PUT, MS_S3_GET,
                MS_S3_LIST, MS_S3_DELETE_OBJECTS, PARTITION_WCU_PER_S, PARTITION_RCU_PER_S, PARTITION_WCU_PER_S,
                CPU_FACTOR);
    }
}
