package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.follow.Connections;
import dev.sessionlog.follow.FanOut;
import dev.sessionlog.follow.WebSocketEvent;
import dev.sessionlog.function.Components;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.sessions.StreamRecord;
import dev.sessionlog.testing.ApiClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A month of following a session, pushed (the follow API) against held reads ({@code wait=20}),
 * computed from the calls and handler times measured here on moto with the product's handlers: the
 * follow route's ticket, the $connect and keep-alive routes, the catch-up read, the fan-out per batch
 * (followed and not), an idle {@code wait=20} read, and a reader kept busy by an event a second
 * (20 s of each, in real time). Priced by AWS's list prices (us-east-1): the rest is arithmetic,
 * written out in the report.
 */
final class FollowBench {

    private static final String TENANT = "bench-follow";
    static final double API_HTTP_PER_MILLION = 1.00;
    static final double WS_MESSAGE_PER_MILLION = 1.00;
    static final double WS_CONNECTION_MINUTE_PER_MILLION = 0.25;
    static final double LAMBDA_REQUEST_PER_MILLION = 0.20;
    static final double LAMBDA_GB_SECOND = 0.0000133334;
    /** The template's memory sizes, GB. */
    static final double QUERY_GB = 1.0;
    static final double TAIL_GB = 0.5;
    static final double FOLLOW_GB = 0.5;
    static final double FAN_OUT_GB = 0.5;
    /** Lambda bills at least 1 ms; handler times below a millisecond are billed as one. */
    static final double MIN_BILLED_SECONDS = 0.001;

    static final double MONTH_SECONDS = 30 * 86_400;
    static final double CONNECTIONS_PER_MONTH = MONTH_SECONDS / 7_200; // API Gateway closes each after 2 hours
    static final double KEEP_ALIVES_PER_MONTH = MONTH_SECONDS / 300; // one every 5 minutes
    static final double EVENTS_PER_MONTH_BUSY = MONTH_SECONDS; // one a second
    static final int BUSY_SECONDS = 20;

    private BenchStack stack;
    private ApiClient api;

    /** What a measured step costs: its DynamoDB dollars and the Lambda time it took. */
    record Step(String name, BenchStack.Measured measured) {
        double dynamoDollars() {
            return BenchStack.dollars(measured);
        }

        double seconds() {
            return Math.max(MIN_BILLED_SECONDS, measured.nanos() / 1e9);
        }

        String calls() {
            Map<String, Long> byOp = new java.util.TreeMap<>();
            measured.calls().forEach(c -> byOp.merge(c.operation() + (c.table() == null ? "" : " " + c.table()), 1L, Long::sum));
            return byOp.isEmpty() ? "none" : byOp.toString().replaceAll("[{}]", "");
        }
    }

    String run() throws Exception {
        Benchmarks.progress("follow: starting moto (the project's launcher, a Python child process) and S3Proxy");
        stack = BenchStack.start(Instant.now(), s -> s);
        try {
            api = new ApiClient(stack.components.appendHandler(), stack.components.queryHandler());
            Components writer = new Components(stack.components.settings(), stack.plainDynamo, stack.plainS3, stack.aws.checkpointS3(),
                    stack.clock, Metrics.NONE);
            ApiClient writes = new ApiClient(writer.appendHandler(), writer.queryHandler());
            return report(writes);
        } finally {
            stack.close();
        }
    }

    private static String note(int i) {
        return "{\"events\":[{\"event\":{\"type\":\"MessageUpdate\",\"loop_id\":\"l\",\"text\":\"token " + i + " of a streamed answer\"}}]}";
    }

    private String report(ApiClient writes) throws Exception {
        StreamKey key = new StreamKey(TENANT, "followed");
        StreamKey alone = new StreamKey(TENANT, "not-followed");
        for (int i = 0; i < 20; i++) {
            require(writes.post(TENANT, "/v1/sessions/followed/events", note(i)).status() == 201, "setup append");
        }
        writes.post(TENANT, "/v1/sessions/not-followed/events", note(0));
        // warm the handlers (JIT, connections) before anything is measured
        for (int i = 0; i < 20; i++) {
            api.post(TENANT, "/v1/sessions/warm/follow", "");
            api.get(TENANT, "/v1/sessions/followed/events?after_seq=20&limit=1000");
        }

        // ---- pushed: a connection's start, its keep-alive, a pushed batch --------------------------------
        String[] token = new String[1];
        Step ticket = step("POST .../follow (query function)", () -> {
            ApiClient.Response r = api.post(TENANT, "/v1/sessions/followed/follow", "");
            require(r.status() == 201, "ticket: " + r.body());
            String url = r.body().get("url").asText();
            token[0] = url.substring(url.indexOf("ticket=") + "ticket=".length());
            return r;
        });
        Step connect = step("$connect (follow function)", () -> stack.components.followSocketHandler()
                .handle(WebSocketEvent.of("$connect", "bench-connection", token[0])));
        Step catchUp = step("catch-up GET .../events?after_seq=head (events function)", () ->
                api.get(TENANT, "/v1/sessions/followed/events?after_seq=20&limit=1000"));
        Step keepAlive = step("keep-alive message, $default (follow function)", () -> stack.components.followSocketHandler()
                .handle(WebSocketEvent.of("$default", "bench-connection", null)));
        AtomicInteger messages = new AtomicInteger();
        FanOut fanOut = stack.components.fanOut(new Connections() {
            @Override
            public Delivery send(String connectionId, String message) {
                messages.incrementAndGet();
                return Delivery.SENT;
            }

            @Override
            public void close(String connectionId) {
            }
        });
        // one event a second: each append is its own stream batch (no batching window)
        List<Step> pushes = new ArrayList<>();
        long head = 20;
        for (int i = 0; i < 20; i++) {
            writes.post(TENANT, "/v1/sessions/followed/events", note(100 + i));
            List<StreamRecord> records = stack.records(key, head);
            head += 1;
            pushes.add(step("fan-out, a batch of one event, followed", () -> require(fanOut.push(records).isEmpty(), "push")));
        }
        writes.post(TENANT, "/v1/sessions/not-followed/events", note(1));
        List<StreamRecord> aloneRecords = stack.records(alone, 1);
        Step unfollowed = step("fan-out, a batch of a session nobody follows", () -> fanOut.push(aloneRecords));
        require(messages.get() == 20, "one message per pushed batch, got " + messages.get());

        // ---- held reads: idle, and busy at an event a second --------------------------------------------
        Benchmarks.progress("follow: an idle wait=20 read (20 s)");
        Step idleWait = step("GET .../events?wait=20, idle (events function)", () ->
                api.get(TENANT, "/v1/sessions/followed/events?after_seq=" + 40 + "&wait=20"));
        Benchmarks.progress("follow: a reader following an event a second with wait=20 (" + BUSY_SECONDS + " s)");
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int i = 0; i < BUSY_SECONDS && writing.get(); i++) {
                writes.post(TENANT, "/v1/sessions/followed/events", note(1000 + i));
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-writer");
        List<Step> busyReads = new ArrayList<>();
        long position = 40;
        long lastWritten = 40 + BUSY_SECONDS;
        writer.start();
        while (position < lastWritten) {
            long from = position;
            JsonNode[] page = new JsonNode[1];
            busyReads.add(step("GET .../events?wait=20, busy", () -> {
                ApiClient.Response r = api.get(TENANT, "/v1/sessions/followed/events?after_seq=" + from + "&wait=20");
                page[0] = r.body();
                return r;
            }));
            position = Math.max(position, page[0].get("next_after_seq").asLong());
        }
        writing.set(false);
        writer.join();
        return format(ticket, connect, catchUp, keepAlive, pushes, unfollowed, idleWait, busyReads);
    }

    private <T> Step step(String name, java.util.function.Supplier<T> work) {
        return new Step(name, stack.measure(work, r -> { }));
    }

    private static <T> T require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("follow bench: " + what);
        }
        return null;
    }

    private static double lambda(double gb, double seconds) {
        return LAMBDA_REQUEST_PER_MILLION / 1e6 + gb * seconds * LAMBDA_GB_SECOND;
    }

    private static double average(List<Step> steps, java.util.function.ToDoubleFunction<Step> f) {
        return steps.stream().mapToDouble(f).average().orElse(0);
    }

    private String format(Step ticket, Step connect, Step catchUp, Step keepAlive, List<Step> pushes, Step unfollowed,
                          Step idleWait, List<Step> busyReads) {
        StringBuilder out = new StringBuilder("## Following a session: pushed or held reads\n\n");
        out.append("""
                What following a session for a month costs on AWS, pushed over the follow API (WebSocket) or with \
                back-to-back `wait=20` reads, from the DynamoDB calls and handler times measured here (moto, the \
                product's handlers; `./mvnw -Pbench -Dbench.sections=follow`). Lambda durations are the handlers' \
                times measured here (at least 1 ms), at the template's memory sizes.

                | step | DynamoDB calls | DynamoDB $ | handler ms |
                | --- | --- | ---: | ---: |
                """);
        List<Step> shown = new ArrayList<>(List.of(ticket, connect, catchUp, keepAlive));
        for (Step s : shown) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %.9f | %.1f |%n", s.name(), s.calls(), s.dynamoDollars(), s.seconds() * 1000));
        }
        double pushDynamo = average(pushes, Step::dynamoDollars);
        double pushSeconds = average(pushes, Step::seconds);
        out.append(String.format(Locale.ROOT, "| fan-out, a batch of one event, followed: one message (average of %d) | %s | %.9f | %.1f |%n",
                pushes.size(), pushes.get(0).calls(), pushDynamo, pushSeconds * 1000));
        for (Step s : List.of(unfollowed, idleWait)) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %.9f | %.1f |%n", s.name(), s.calls(), s.dynamoDollars(), s.seconds() * 1000));
        }
        long busyEvents = BUSY_SECONDS;
        double busyReadDollars = busyReads.stream().mapToDouble(s -> s.dynamoDollars() + lambda(TAIL_GB, s.seconds())
                + API_HTTP_PER_MILLION / 1e6).sum();
        double busySeconds = busyReads.stream().mapToDouble(Step::seconds).sum();
        out.append(String.format(Locale.ROOT, "| GET .../events?wait=20 following an event a second: %d reads for %d events | %s (the first) | %.9f (all) | %.0f (all) |%n%n",
                busyReads.size(), busyEvents, busyReads.get(0).calls(), busyReads.stream().mapToDouble(Step::dynamoDollars).sum(),
                busySeconds * 1000));

        // ---- a month, idle ----
        double perConnection = 2 * API_HTTP_PER_MILLION / 1e6 + WS_MESSAGE_PER_MILLION / 1e6
                + ticket.dynamoDollars() + lambda(QUERY_GB, ticket.seconds())
                + connect.dynamoDollars() + lambda(FOLLOW_GB, connect.seconds())
                + catchUp.dynamoDollars() + lambda(TAIL_GB, catchUp.seconds());
        double perKeepAlive = WS_MESSAGE_PER_MILLION / 1e6 + keepAlive.dynamoDollars() + lambda(FOLLOW_GB, keepAlive.seconds());
        double connectionMinutes = MONTH_SECONDS / 60 * WS_CONNECTION_MINUTE_PER_MILLION / 1e6;
        double idlePush = CONNECTIONS_PER_MONTH * perConnection + KEEP_ALIVES_PER_MONTH * perKeepAlive + connectionMinutes;
        double perIdleWait = API_HTTP_PER_MILLION / 1e6 + idleWait.dynamoDollars() + lambda(TAIL_GB, idleWait.seconds());
        double waitsPerMonth = MONTH_SECONDS / 20;
        double idleHeld = waitsPerMonth * perIdleWait;
        // ---- a month, busy: an event a second ----
        double perPushedEvent = WS_MESSAGE_PER_MILLION / 1e6 + pushDynamo + lambda(FAN_OUT_GB, pushSeconds);
        double busyPush = idlePush + EVENTS_PER_MONTH_BUSY * perPushedEvent;
        double perHeldEvent = busyReadDollars / busyEvents;
        double busyHeld = EVENTS_PER_MONTH_BUSY * perHeldEvent;

        out.append(String.format(Locale.ROOT, """
                Prices (us-east-1): API Gateway WebSocket $1.00 per million messages (metered in 32 KB steps; every \
                message here is under 32 KB) and $0.25 per million connection minutes; HTTP API $1.00 per million \
                requests; Lambda $0.20 per million requests and $0.0000133334 per GB-second (arm64); DynamoDB as in the \
                other sections. A month is 30 days.

                **Idle, pushed.** A connection lasts 2 hours at most (API Gateway), so %.0f connections a month, \
                each: the ticket (an HTTP request, the query function at 1 GB for %.1f ms, $%.9f of DynamoDB), the \
                `$connect` message (the follow function at 512 MB for %.1f ms, $%.9f), and the catch-up read (an \
                HTTP request, the events function at 512 MB for %.1f ms, $%.9f): $%.7f a connection. A keep-alive \
                message every 5 minutes (%.0f a month, the follow function at 512 MB for %.1f ms, no DynamoDB call): \
                $%.8f each. %.0f connection minutes: $%.4f. **$%.4f a month.**

                **Idle, held reads.** %.0f `wait=20` reads a month, each an HTTP request, the events function at \
                512 MB for %.0f ms and $%.7f of DynamoDB: $%.6f a read. **$%.2f a month.**

                **An event a second, pushed.** The idle month, plus per event one message, one fan-out invocation \
                (512 MB, %.1f ms on average; shared with every other session of the batch on AWS, counted whole here) \
                and its consistent Query of the session's subscriptions ($%.9f): $%.8f an event, %.0f events: \
                **$%.2f a month.**

                **An event a second, held reads.** Measured: %d reads took %d events in %d s (each read returns \
                when the next event is seen, polling the head every 500 ms), %.0f ms of the events function and \
                $%.7f of DynamoDB in all: $%.8f an event with their HTTP requests and Lambda time. %.0f events: \
                **$%.2f a month.**

                | a month of following one session | pushed | `wait=20` | pushed / `wait=20` | goal |
                | --- | ---: | ---: | ---: | --- |
                | idle | $%.4f | $%.2f | %.4f | pushed at most $0.05: %s |
                | an event a second | $%.2f | $%.2f | %.3f | at most 0.25: %s |

                Every session's events also pass through the fan-out, followed or not: one consistent Query of its \
                subscriptions per session and batch ($%.9f) and the fan-out's invocations (per stream batch, \
                shared by every session in it; %.1f ms here for a session nobody follows).

                """,
                CONNECTIONS_PER_MONTH, ticket.seconds() * 1000, ticket.dynamoDollars(), connect.seconds() * 1000, connect.dynamoDollars(),
                catchUp.seconds() * 1000, catchUp.dynamoDollars(), perConnection, KEEP_ALIVES_PER_MONTH, keepAlive.seconds() * 1000,
                perKeepAlive, MONTH_SECONDS / 60, connectionMinutes, idlePush,
                waitsPerMonth, idleWait.seconds() * 1000, idleWait.dynamoDollars(), perIdleWait, idleHeld,
                pushSeconds * 1000, pushDynamo, perPushedEvent, EVENTS_PER_MONTH_BUSY, busyPush,
                busyReads.size(), busyEvents, BUSY_SECONDS, busySeconds * 1000, busyReads.stream().mapToDouble(Step::dynamoDollars).sum(),
                perHeldEvent, EVENTS_PER_MONTH_BUSY, busyHeld,
                idlePush, idleHeld, idlePush / idleHeld, idlePush <= 0.05 ? "met" : "NOT met",
                busyPush, busyHeld, busyPush / busyHeld, busyPush <= busyHeld / 4 ? "met" : "NOT met",
                unfollowed.dynamoDollars(), unfollowed.seconds() * 1000));
        return out.toString();
    }
}
