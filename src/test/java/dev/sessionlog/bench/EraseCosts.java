package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.erase.Eraser;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.s3.S3PayloadStore;
import dev.sessionlog.testing.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Part d: erasing a session of N events, part of it archived, with large bodies in S3, a stored state
 * and one fork: the DELETE that marks it, then one run of the Eraser after the grace period, by
 * operation and by step, with the capacity it costs and its time on moto; and what the same would
 * take on AWS for a 100,000-event session ({@link EraseProjection}).
 */
final class EraseCosts {

    private final BenchStack stack;
    private final LifecycleSessions sessions;
    private final List<Integer> sizes;

    /** One measured erasure. */
    private record Run(int events, long head, long forkSeq, long objectsBefore, long setupNanos, BenchStack.Measured delete,
                       BenchStack.Measured erase, Eraser.Report report, List<ErasePhases.Phase> phases) {
    }

    EraseCosts(BenchStack stack, LifecycleSessions sessions, Benchmarks.Options options) {
        this.stack = stack;
        this.sessions = sessions;
        this.sizes = options.eraseEvents();
    }

    /** @param reusable a session grown elsewhere (half long ago, half now, nothing archived): used for its length */
    String run(BenchStack.Session reusable) {
        List<Run> runs = new ArrayList<>();
        for (int n : sizes) {
            runs.add(measure(n, reusable != null && reusable.head == n ? reusable : null));
        }
        return report(runs);
    }

    private Run measure(int n, BenchStack.Session reuse) {
        long t0 = System.nanoTime();
        BenchStack.Session victim = reuse != null ? reuse : sessions.grow("erase-" + n, n / 2, n / 2 - 2);
        sessions.appendLargeBodies(victim, 2);
        sessions.record(victim);
        sessions.archive(victim, n / 2);
        long forkSeq = victim.head * 3 / 4;
        StreamKey fork = new StreamKey(LifecycleSessions.TENANT, victim.key.sessionId() + "-fork");
        sessions.fork(victim.key, fork.sessionId(), forkSeq);
        appendNotes(fork, 3);
        long objectsBefore = objects(victim.key);
        long setup = System.nanoTime() - t0;
        Benchmarks.progress("lifecycle: erase: %,d events (%,d archived, fork at %,d, %d objects) made in %.1f s", victim.head,
                n / 2, forkSeq, objectsBefore, setup / 1e9);

        BenchStack.Measured delete = stack.measure(() -> sessions.api.delete(LifecycleSessions.TENANT,
                "/v1/sessions/" + victim.key.sessionId()), r -> expect(r, 202));
        stack.clock.advance(Eraser.GRACE.plusSeconds(1));
        ErasePhases phases = new ErasePhases(stack.calls);
        Eraser.Report[] report = new Eraser.Report[1];
        BenchStack.Measured erase = stack.measure(() -> {
            phases.start();
            Eraser.Report r = stack.components.eraser(phases).run();
            phases.end();
            return r;
        }, r -> {
            if (r.erased() != 1 || r.eventsCopied() != forkSeq) {
                throw new IllegalStateException("erasure run: " + r);
            }
            report[0] = r;
        });
        Eraser.Report again = stack.components.eraser(Eraser.CrashPoints.NONE).run();
        if (again.marked() != 0) {
            throw new IllegalStateException("a second run still found marks: " + again);
        }
        checkGone(victim.key);
        sessions.checkReadable(fork, forkSeq + 3);
        Benchmarks.progress("lifecycle: erase: %,d events erased in %.1f s", victim.head, erase.nanos() / 1e9);
        return new Run(n, victim.head, forkSeq, objectsBefore, setup, delete, erase, report[0], phases.phases(erase.calls()));
    }

    private void appendNotes(StreamKey key, int count) {
        List<NewEvent> events = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ObjectNode e = JsonNodeFactory.instance.objectNode().put("type", "Note").put("text", "fork's own " + i);
            events.add(new NewEvent(null, null, e, Json.bytes(e)));
        }
        stack.components.eventLog().append(key, new AppendRequest(events, OptionalLong.empty()));
    }

    /** Objects under the session's prefixes: archive objects, large bodies, state objects. */
    private long objects(StreamKey key) {
        long count = 0;
        for (String prefix : prefixes(key)) {
            count += stack.plainS3.listObjectsV2(b -> b.bucket(BenchStack.BUCKET).prefix(prefix)).keyCount();
        }
        return count;
    }

    private List<String> prefixes(StreamKey key) {
        return List.of(stack.components.segmentStore().sessionPrefix(key),
                S3PayloadStore.sessionPrefix(stack.components.settings().archivePrefix(), key),
                stack.components.sessionStore().statePrefix(key));
    }

    /** Nothing of the session is left in its partition or the bucket; its tombstone is there. */
    private void checkGone(StreamKey key) {
        int items = stack.plainDynamo.query(b -> b.tableName(stack.eventsTable).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()))).consistentRead(true).limit(10)).count();
        if (items != 0 || objects(key) != 0 || !stack.components.eventLog().isErased(key)) {
            throw new IllegalStateException(key.sessionId() + " not gone: " + items + " items, " + objects(key) + " objects");
        }
    }

    private static void expect(ApiClient.Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("answered " + r.status() + " " + r.body());
        }
    }

    // ---- report -----------------------------------------------------------------------------------

    private String report(List<Run> runs) {
        StringBuilder b = new StringBuilder("### Erasure: calls, capacity and time\n\n");
        b.append(String.format(Locale.ROOT, """
                Per size, one session: a generated run of N events through the log in requests of 100, the first \
                half appended 20 days ago; two events of about %,d KB of random text (their bodies go to S3), \
                folded by the recorder (its state goes to S3 from 16 KiB gzip), then `Archiver.archive` (the first \
                half to S3: objects, sealed checkpoints, stubs); a fork at three quarters of its head through the \
                API, with 3 events of its own. Then `DELETE /v1/sessions/{id}` through the append function's handler \
                (measured), the clock moved past Eraser.GRACE (%d min), and one run of \
                `components.eraser(...).run()` measured, the erasure's own steps told apart by its crash points (which \
                do nothing here). Checked afterwards: the run erased it (a second run finds no mark), its partition \
                and its S3 prefixes are empty, its tombstone is there, and the fork reads back whole, seq by seq. \
                The run's budget is the clock's, which the bench does not move: the run is never cut short.

                """, LifecycleSessions.LARGE_BODY_BYTES / 1000, Eraser.GRACE.toMinutes()));
        Table summary = new Table(">events", "archived", ">fork at", ">setup", "DELETE (mark): calls", ">erase run",
                ">DynamoDB calls", ">S3 calls", ">RCU", ">WCU (table + index)", ">items deleted", ">objects deleted",
                ">events copied", ">s per 10,000 events");
        for (Run r : runs) {
            CapacityModel.Cost c = r.erase().cost();
            summary.row(String.format(Locale.ROOT, "%,d", r.head()), String.format(Locale.ROOT, "seqs 1–%,d", r.events() / 2),
                    String.format(Locale.ROOT, "%,d", r.forkSeq()), LifecycleSessions.seconds(r.setupNanos()),
                    r.delete().dynamoCalls() + " (" + BenchCalls.breakdown(r.delete().calls()) + ")",
                    LifecycleSessions.seconds(r.erase().nanos()), String.format(Locale.ROOT, "%,d", r.erase().dynamoCalls()),
                    r.erase().s3Calls(), Table.num(c.rcu(), 0), Table.num(c.tableWcu(), 0) + " + " + Table.num(c.indexWcu(), 0),
                    String.format(Locale.ROOT, "%,d", r.report().itemsDeleted()), r.report().objectsDeleted(),
                    String.format(Locale.ROOT, "%,d", r.report().eventsCopied()),
                    String.format(Locale.ROOT, "%.2f", r.erase().nanos() / 1e9 * 10_000 / r.head()));
        }
        b.append(summary.render()).append('\n');
        b.append(byOperation(runs));
        Run largest = runs.get(runs.size() - 1);
        b.append(bySteps(largest));
        b.append(projection(largest));
        return b.toString();
    }

    private String byOperation(List<Run> runs) {
        List<String> header = new ArrayList<>(List.of("operation"));
        for (Run r : runs) {
            header.add(String.format(Locale.ROOT, ">%,d events: count (per 1,000 events)", r.head()));
            header.add(String.format(Locale.ROOT, ">RCU · WCU (%,d)", r.head()));
        }
        Map<String, double[][]> rows = new TreeMap<>();
        for (int i = 0; i < runs.size(); i++) {
            for (BenchCalls.Call c : runs.get(i).erase().calls()) {
                double[] cell = rows.computeIfAbsent(name(c), k -> new double[runs.size()][3])[i];
                cell[0]++;
                cell[1] += c.model().rcu();
                cell[2] += c.model().wcu();
            }
        }
        Table t = new Table(header.toArray(String[]::new));
        rows.forEach((name, cells) -> {
            List<Object> row = new ArrayList<>(List.of(name));
            for (int i = 0; i < runs.size(); i++) {
                double per1k = 1000.0 / runs.get(i).head();
                row.add(String.format(Locale.ROOT, "%,.0f (%s)", cells[i][0], Table.num(cells[i][0] * per1k, 2)));
                row.add(name.startsWith("S3") ? "" : Table.num(cells[i][1], 0) + " · " + Table.num(cells[i][2], 0));
            }
            t.row(row.toArray());
        });
        return "#### The run by operation\n\n" + t.render() + "\n";
    }

    /** "DynamoDB Query (erase_due)", "S3 PutObject (checkpoint bucket)". */
    private String name(BenchCalls.Call c) {
        if (BenchCalls.DYNAMO.equals(c.service())) {
            return "DynamoDB " + c.operation() + (c.index() != null ? " (" + c.index() + ")" : "")
                    + (stack.sessionsTable.equals(c.table()) ? " (sessions table)" : "")
                    + (c.failed() ? " (condition failed)" : "");
        }
        return "S3 " + c.operation() + (BenchStack.BUCKET.equals(c.table()) ? " (archive bucket)" : " (checkpoint bucket)");
    }

    private String bySteps(Run r) {
        Table t = new Table("step", "calls by operation", ">RCU", ">WCU (table + index)", ">wall ms", ">ms in calls",
                ">CPU ms (erasing thread)");
        for (ErasePhases.Phase p : r.phases()) {
            CapacityModel.Cost c = p.cost();
            t.row(p.what(), p.calls().isEmpty() ? "–" : BenchCalls.breakdown(p.calls()), Table.num(c.rcu(), 0),
                    Table.num(c.tableWcu(), 0) + " + " + Table.num(c.indexWcu(), 0), Table.num(p.wallNanos() / 1e6, 0),
                    Table.num(p.callNanos() / 1e6, 0), Table.num(p.cpuNanos() / 1e6, 0));
        }
        ErasePhases.Phase copy = r.phases().stream().filter(p -> p.point().equals("fork-copied")).findFirst().orElseThrow();
        return String.format(Locale.ROOT, """
                #### The %,d-event run by step

                In order; "ms in calls" sums each call's time, so it exceeds the wall time where calls overlap (the \
                BatchWriteItems of a step go 16 at a time, and queue at moto). The fork's copy: %,d events in %s, \
                %,.0f events copied per second on moto.

                """, r.head(), r.report().eventsCopied(), LifecycleSessions.seconds(copy.wallNanos()),
                r.report().eventsCopied() / (copy.wallNanos() / 1e9)) + t.render() + "\n";
    }

    private String projection(Run r) {
        EraseProjection model = new EraseProjection(r.phases(), r.head(), r.report().eventsCopied());
        long target = 100_000;
        List<EraseProjection.Step> worst = model.steps(target, target);
        Table t = new Table("step", ">calls", ">latency-bound s", ">WCU", ">partition-bound s", ">JVM s", ">estimate s");
        for (EraseProjection.Step s : worst) {
            t.row(s.what(), Table.num(Math.round(s.calls()), 0), String.format(Locale.ROOT, "%.1f", s.latencyS()),
                    Table.num(Math.round(s.wcu()), 0), String.format(Locale.ROOT, "%.1f", s.partitionS()),
                    String.format(Locale.ROOT, "%.1f", s.cpuS()), String.format(Locale.ROOT, "%.1f", s.estimateS()));
        }
        Table variants = new Table("fork of the 100,000-event session", ">events copied", ">copy s", ">total s",
                ">runs of the erase function", ">copy: events/s", ">total s, latency only");
        for (long copied : new long[] {0, target * 3 / 4, target}) {
            List<EraseProjection.Step> steps = model.steps(target, copied);
            double copyS = EraseProjection.copyS(steps);
            variants.row(copied == 0 ? "none" : copied == target ? "at its head" : "at three quarters (as measured)",
                    String.format(Locale.ROOT, "%,d", copied), String.format(Locale.ROOT, "%.0f", copyS),
                    String.format(Locale.ROOT, "%.0f", EraseProjection.total(steps)), EraseProjection.runs(steps),
                    copied == 0 ? "" : String.format(Locale.ROOT, "%,.0f", copied / copyS),
                    String.format(Locale.ROOT, "%.0f", EraseProjection.latencyOnly(steps)));
        }
        return String.format(Locale.ROOT, """
                #### On AWS: a 100,000-event session

                The %,d-event run's steps, scaled to 100,000 events with a fork at the head (the worst case: the copy \
                then covers all 100,000). %s

                """, r.head(), EraseProjection.assumptions()) + t.render() + String.format(Locale.ROOT, """

                Totals by the fork's size (the erase function's run budget is %.0f s of its %.0f s timeout; a run \
                that reaches the budget between two chunks of %,d deletes releases the session, and the next \
                scheduled run, a minute later, goes on; the copy is not cut by the budget and starts over if a run \
                dies in it, so it has to fit in one invocation's %.0f s):

                """, EraseProjection.RUN_BUDGET_S, EraseProjection.TIMEOUT_S, 5_000, EraseProjection.TIMEOUT_S)
                + variants.render() + "\n";
    }
}
