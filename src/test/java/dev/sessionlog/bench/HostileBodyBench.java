package dev.sessionlog.bench;

import dev.sessionlog.chain.ChainHash;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.AppendRequestParser;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Limits;
import dev.sessionlog.event.NewEvent;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The security review's CPU finding: what an append spends on a body built to be expensive (three
 * nested 40 KB keys around an array of zeros) before it stores it or refuses it as too large. Each
 * body goes through the append's own CPU work, in one thread: the request parser (the JSON, every
 * check, the size limit) and, for a body the parser accepts, the chain value the append computes.
 * A body is given at most {@link #CAP_SECONDS}; past it the row says so.
 */
final class HostileBodyBench {

    static final long CAP_SECONDS = 120;
    static final int KEY_CHARS = 40_000;

    String run() {
        Table table = new Table("body", ">bytes", "outcome", ">parse and check (s)", ">chain (s)", ">allocated (MB)");
        for (int targetBytes : new int[] {900_000, 1_800_000, 5_000_000}) {
            String body = body(targetBytes);
            Benchmarks.progress("hostile: %d bytes", body.length());
            Result r = timed(body);
            table.row(String.format(Locale.ROOT, "%.1f MB", targetBytes / 1e6), body.length(), r.outcome,
                    r.parseSeconds < 0 ? "> " + CAP_SECONDS : String.format(Locale.ROOT, "%.3f", r.parseSeconds),
                    r.chainSeconds < 0 ? "" : String.format(Locale.ROOT, "%.3f", r.chainSeconds),
                    r.allocatedBytes < 0 ? "" : String.format(Locale.ROOT, "%.0f", r.allocatedBytes / 1e6));
        }
        // The chain's own work: numbers whose exact value has hundreds of digits (the review's second body).
        String tiny = tinyNumbers(1_000_000);
        Benchmarks.progress("hostile: %d bytes of tiny numbers", tiny.length());
        Result r = timed(tiny);
        table.row("1.0 MB of 1.2345e-301", tiny.length(), r.outcome,
                r.parseSeconds < 0 ? "> " + CAP_SECONDS : String.format(Locale.ROOT, "%.3f", r.parseSeconds),
                r.chainSeconds < 0 ? "" : String.format(Locale.ROOT, "%.3f", r.chainSeconds),
                r.allocatedBytes < 0 ? "" : String.format(Locale.ROOT, "%.0f", r.allocatedBytes / 1e6));
        return "## Hostile append bodies (CPU before the size check)\n\n"
                + "An event of three nested 40 KB keys around an array of zeros, sized to 0.9, 1.8 and 5 MB of request:"
                + " the parser's time (JSON, every check, the size limit) and, when accepted, the chain's; then an event of"
                + " a megabyte of tiny doubles (1.2345e-301, whose exact values have hundreds of digits), for the chain's"
                + " writing of numbers; one thread,"
                + " first run (no warm-up: an attacker's request meets a cold path too). Allocation is the parsing"
                + " thread's own (ThreadMXBean).\n\n" + table.render() + "\n";
    }

    /** {"events":[{"event":{"type":"x","n":[1.2345e-301,...]}}]} of about {@code targetBytes}: tiny doubles to hash. */
    static String tinyNumbers(int targetBytes) {
        StringBuilder b = new StringBuilder(targetBytes + 64).append("{\"events\":[{\"event\":{\"type\":\"x\",\"n\":[1.2345e-301");
        String end = "]}}]}";
        while (b.length() + 12 + end.length() <= targetBytes) {
            b.append(",1.2345e-301");
        }
        return b.append(end).toString();
    }

    /** {"events":[{"event":{"type":"x","k1":{"k2":{"k3":[0,0,...]}}}}]} of about {@code targetBytes}. */
    static String body(int targetBytes) {
        String k1 = "a".repeat(KEY_CHARS);
        String k2 = "b".repeat(KEY_CHARS);
        String k3 = "c".repeat(KEY_CHARS);
        StringBuilder b = new StringBuilder(targetBytes + 64);
        b.append("{\"events\":[{\"event\":{\"type\":\"x\",\"").append(k1).append("\":{\"").append(k2).append("\":{\"")
                .append(k3).append("\":[0");
        String end = "]}}}}]}";
        while (b.length() + 2 + end.length() <= targetBytes) {
            b.append(",0");
        }
        return b.append(end).toString();
    }

    private record Result(String outcome, double parseSeconds, double chainSeconds, long allocatedBytes) {
    }

    private static Result timed(String body) {
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hostile-body");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<Result> f = one.submit(() -> measure(body));
            return f.get(CAP_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return new Result("still running", -1, -1, -1);
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            one.shutdownNow();
        }
    }

    private static Result measure(String body) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long allocated0 = threads.getThreadAllocatedBytes(thread);
        long t0 = System.nanoTime();
        AppendRequest request;
        try {
            request = new AppendRequestParser(Limits.defaults()).parse("s", body);
        } catch (RuntimeException refused) {
            long t1 = System.nanoTime();
            return new Result(refused.getClass().getSimpleName(), (t1 - t0) / 1e9, -1,
                    threads.getThreadAllocatedBytes(thread) - allocated0);
        }
        long t1 = System.nanoTime();
        long allocated = threads.getThreadAllocatedBytes(thread) - allocated0;
        String chain = null;
        for (NewEvent e : request.events()) {
            chain = ChainHash.next(chain, new EventRecord(1, "e-1", null, null, Instant.EPOCH, e.event(), null));
        }
        long t2 = System.nanoTime();
        return new Result("accepted", (t1 - t0) / 1e9, (t2 - t1) / 1e9, allocated);
    }
}
