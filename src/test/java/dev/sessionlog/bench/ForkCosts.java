package dev.sessionlog.bench;

import dev.sessionlog.testing.ApiClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Part b: what a fork costs through the API ({@code POST /v1/sessions/{id}/fork}), for a source of 10
 * events and for one of 10,000 whose first half is archived, at its head and at its middle. A fork
 * copies nothing, so both must make the same calls.
 */
final class ForkCosts {

    private final BenchStack stack;
    private final LifecycleSessions sessions;
    private final int longLength;
    private BenchStack.Session longSource;
    private long setupNanos;

    ForkCosts(BenchStack stack, LifecycleSessions sessions, Benchmarks.Options options) {
        this.stack = stack;
        this.sessions = sessions;
        this.longLength = options.quick() ? 2_000 : 10_000;
    }

    /** The long source, half archived: the verify part reads it too. */
    BenchStack.Session longSource() {
        return longSource;
    }

    String run() {
        long t0 = System.nanoTime();
        BenchStack.Session small = sessions.grow("fork-src-10", 0, 10);
        longSource = sessions.grow("fork-src-" + longLength, longLength / 2, longLength / 2);
        sessions.record(longSource);
        sessions.archive(longSource, longLength / 2);
        setupNanos = System.nanoTime() - t0;
        Benchmarks.progress("lifecycle: fork sources of 10 and %,d events (half archived) made in %.1f s", longLength,
                setupNanos / 1e9);

        Table t = new Table(">source events", "archived", ">at_seq", ">DynamoDB calls", "calls by operation", ">S3 calls",
                ">RCU", ">WCU (table + index)", ">ms (moto)");
        Map<String, String> byShape = new LinkedHashMap<>();
        List<String> differ = new ArrayList<>();
        for (BenchStack.Session source : List.of(small, longSource)) {
            for (long at : new long[] {source.head, source.head / 2}) {
                String id = source.key.sessionId() + "-fork-at-" + at;
                BenchStack.Measured m = stack.measure(() -> sessions.fork(source.key, id, at), r -> check(r, at));
                String calls = BenchCalls.breakdown(m.calls());
                String shape = at == source.head ? "head" : "middle";
                String earlier = byShape.putIfAbsent(shape, calls);
                if (earlier != null && !earlier.equals(calls)) {
                    differ.add("at the " + shape + ": " + earlier + " vs " + calls);
                }
                CapacityModel.Cost c = m.cost();
                t.row(String.format(Locale.ROOT, "%,d", source.head), source == small ? "none" : String.format(Locale.ROOT, "seqs 1–%,d", longLength / 2),
                        String.format(Locale.ROOT, "%,d (%s)", at, shape), m.dynamoCalls(), calls, m.s3Calls(),
                        Table.num(c.rcu(), 1), Table.num(c.tableWcu(), 1) + " + " + Table.num(c.indexWcu(), 1),
                        Table.num(m.nanos() / 1e6, 1));
            }
        }
        return String.format(Locale.ROOT, """
                ### Fork: calls and capacity

                `POST /v1/sessions/{id}/fork` through the append function's handler (ApiClient: the request as an \
                API Gateway event, read back through JSON), one fork per row, each to a new id. Sources: one of 10 \
                events, and one of %,d events (generated run, server ids; the first half appended 20 days ago, \
                folded by the recorder and archived with `Archiver.archive`, so seqs 1–%,d are in S3 and stubs). \
                Setup took %s. RCU/WCU computed by CapacityModel.

                """, longLength, longLength / 2, LifecycleSessions.seconds(setupNanos)) + t.render() + String.format(Locale.ROOT, """

                Same calls for the short and the long source: %s. A fork at the head takes the chain value from \
                the head it read; a fork below the head reads the chain at the fork seq with one GetItem (from a \
                stub when that seq is archived: stubs keep the chain).

                """, differ.isEmpty() ? "yes, at the head and at the middle" : "**no**: " + String.join("; ", differ));
    }

    private static void check(ApiClient.Response r, long at) {
        if (r.body().path("head_seq").asLong() != at) {
            throw new IllegalStateException("fork answered " + r.body());
        }
    }
}
