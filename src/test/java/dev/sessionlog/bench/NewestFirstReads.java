package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.testing.ApiClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Part c: the newest ten events of a session ({@code GET /v1/sessions/{id}/events?order=desc&limit=10})
 * through the query function's handler, at 100 and at 100,000 events: the calls and capacity must be
 * the same; the latency is moto's.
 */
final class NewestFirstReads {

    private final BenchStack stack;
    private final LifecycleSessions sessions;
    private final int longLength;
    private final int repeats;
    private BenchStack.Session longSession;
    private long longSetupNanos;

    NewestFirstReads(BenchStack stack, LifecycleSessions sessions, Benchmarks.Options options) {
        this.stack = stack;
        this.sessions = sessions;
        this.longLength = options.quick() ? 5_000 : 100_000;
        this.repeats = options.quick() ? 5 : 20;
    }

    /** The long session, all hot (half of it recorded long ago): the verify and erase parts go on with it. */
    BenchStack.Session longSession() {
        return longSession;
    }

    long longSetupNanos() {
        return longSetupNanos;
    }

    String run(BenchStack.Session halfArchived) {
        BenchStack.Session shortSession = sessions.grow("desc-100", 0, 100);
        long t0 = System.nanoTime();
        longSession = sessions.grow("desc-" + longLength, longLength / 2, longLength / 2);
        longSetupNanos = System.nanoTime() - t0;
        Benchmarks.progress("lifecycle: %,d events appended in requests of 100 in %.1f s (%.0f events/s)", longLength,
                longSetupNanos / 1e9, longLength / (longSetupNanos / 1e9));

        Table t = new Table(">session events", "archived", ">DynamoDB calls", "calls by operation", ">S3 calls", ">RCU",
                ">ms median (min–max)");
        Set<String> shapes = new LinkedHashSet<>();
        for (BenchStack.Session s : List.of(shortSession, longSession)) {
            shapes.add(row(t, s, "none"));
        }
        row(t, halfArchived, String.format(Locale.ROOT, "seqs 1–%,d", stack.components.eventLog().archivedThrough(halfArchived.key)));
        return String.format(Locale.ROOT, """
                ### Newest-first read of the last 10 events

                `GET /v1/sessions/{id}/events?order=desc&limit=10` through the query function's handler \
                (ApiClient), %d times per session; every answer checked (200, the ten newest seqs, newest first). \
                The long session was appended in requests of 100 straight through the log (server ids): %,d events \
                in %s, %.0f events/s on moto. The last row is the fork section's source, its first half in S3 \
                (the ten newest are hot). RCU computed by CapacityModel; latency on moto (one request at a time, a \
                Python emulator: it says nothing about AWS).

                """, repeats, longLength, LifecycleSessions.seconds(longSetupNanos), longLength / (longSetupNanos / 1e9))
                + t.render() + String.format(Locale.ROOT, """

                Same calls at 100 and at %,d events: %s.

                """, longLength, shapes.size() == 1 ? "yes (" + shapes.iterator().next() + ")" : "**no**: " + String.join(" vs ", shapes));
    }

    /** Measures the read on one session; returns its calls and units, which must not depend on the length. */
    private String row(Table t, BenchStack.Session s, String archived) {
        String path = "/v1/sessions/" + s.key.sessionId() + "/events?order=desc&limit=10";
        List<BenchStack.Measured> runs = new ArrayList<>();
        for (int i = 0; i < repeats + 1; i++) {
            BenchStack.Measured m = stack.measure(() -> sessions.api.get(LifecycleSessions.TENANT, path), r -> check(r, s.head));
            if (i > 0) {
                runs.add(m); // the first one warms this session's path
            }
        }
        Set<String> calls = new LinkedHashSet<>();
        runs.forEach(m -> calls.add(BenchCalls.breakdown(m.calls()) + " · " + Table.num(m.cost().rcu(), 1) + " RCU"));
        double[] ms = runs.stream().mapToDouble(m -> m.nanos() / 1e6).sorted().toArray();
        BenchStack.Measured any = runs.get(0);
        t.row(String.format(Locale.ROOT, "%,d", s.head), archived, any.dynamoCalls(), String.join(" / ", calls), any.s3Calls(),
                Table.num(any.cost().rcu(), 1), String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", ms[ms.length / 2], ms[0],
                        ms[ms.length - 1]));
        return String.join(" / ", calls);
    }

    private static void check(ApiClient.Response r, long head) {
        JsonNode events = r.body().path("events");
        if (r.status() != 200 || events.size() != 10) {
            String body = r.body().toString();
            throw new IllegalStateException("desc read answered " + r.status() + " " + body.substring(0, Math.min(300, body.length())));
        }
        for (int i = 0; i < 10; i++) {
            if (events.get(i).path("seq").asLong() != head - i) {
                throw new IllegalStateException("desc read: seq " + events.get(i).path("seq") + " at " + i + ", head " + head);
            }
        }
    }
}
