package dev.sessionlog.follow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A follower as openapi.yaml describes one, over the local runner: a ticket, the WebSocket, a catch-up
 * over HTTP from the last seq taken, then the pushed records, each seq once and in order; a gap or an
 * {@code appended} notice is read over HTTP. One worker thread takes every message in turn.
 */
final class PushFollower implements AutoCloseable {

    private static final JsonNode RECONNECT = Json.MAPPER.createObjectNode().put("type", "_reconnect");
    private static final JsonNode CLOSED = Json.MAPPER.createObjectNode().put("type", "_closed");
    private static final JsonNode STOP = Json.MAPPER.createObjectNode().put("type", "_stop");

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String tenant;
    private final String session;
    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<Long> taken = new ArrayList<>();
    private final Thread worker;
    private volatile long last;
    private volatile int pushed;
    private volatile int readOverHttp;
    private volatile int connections;
    /** Connected and caught up: what comes now is pushed. */
    private volatile boolean ready;
    private volatile boolean erased;
    private volatile boolean closedByServer;
    private volatile Throwable failure;
    private volatile WebSocket socket;
    /** The connection a reconnect closes: its close is ours, not the server's. */
    private volatile WebSocket leaving;

    PushFollower(String base, String tenant, String session, long afterSeq) {
        this.base = base;
        this.tenant = tenant;
        this.session = session;
        this.last = afterSeq;
        this.worker = new Thread(this::run, "follower-" + session);
        worker.setDaemon(true);
        worker.start();
    }

    /** Closes the connection and opens another, catching up from the last seq taken. */
    void reconnect() {
        inbox.add(RECONNECT);
    }

    long last() {
        return last;
    }

    synchronized List<Long> taken() {
        return List.copyOf(taken);
    }

    int pushed() {
        return pushed;
    }

    int readOverHttp() {
        return readOverHttp;
    }

    int connections() {
        return connections;
    }

    boolean ready() {
        return ready;
    }

    boolean erased() {
        return erased;
    }

    boolean closedByServer() {
        return closedByServer;
    }

    Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            connect();
            while (true) {
                JsonNode message = inbox.take();
                switch (message.path("type").asText()) {
                    case "_stop" -> {
                        return;
                    }
                    case "_reconnect" -> {
                        leaving = socket;
                        socket.sendClose(WebSocket.NORMAL_CLOSURE, "reconnecting").join();
                        connect();
                    }
                    case "_closed" -> closedByServer = true;
                    case "erased" -> erased = true;
                    case "appended" -> {
                        if (message.get("through_seq").asLong() > last) {
                            catchUp();
                        }
                    }
                    case "events" -> {
                        for (JsonNode record : message.get("events")) {
                            long seq = record.get("seq").asLong();
                            if (seq == last + 1) {
                                take(seq);
                                pushed++;
                            } else if (seq > last + 1) {
                                catchUp(); // a gap: read it, then go on
                            }
                        }
                    }
                    default -> throw new IllegalStateException("unknown message " + message);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure = e;
        }
    }

    private void connect() throws Exception {
        HttpResponse<String> ticket = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/"
                        + URLEncoder.encode(session, StandardCharsets.UTF_8) + "/follow")).header("X-Tenant-Id", tenant)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (ticket.statusCode() != 201) {
            throw new IllegalStateException("follow answered " + ticket.statusCode() + ": " + ticket.body());
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(Json.parse(ticket.body()).get("url").asText()), new Listener())
                .get(10, TimeUnit.SECONDS);
        connections++;
        catchUp();
        ready = true;
    }

    /** Reads over HTTP from the last seq taken up to the head. */
    private void catchUp() throws Exception {
        while (true) {
            JsonNode page = get("/v1/sessions/" + URLEncoder.encode(session, StandardCharsets.UTF_8) + "/events?after_seq=" + last + "&limit=1000");
            for (JsonNode record : page.get("events")) {
                long seq = record.get("seq").asLong();
                if (seq != last + 1) {
                    throw new IllegalStateException("a page skipped from " + last + " to " + seq);
                }
                take(seq);
                readOverHttp++;
            }
            if (last >= page.get("head_seq").asLong() || page.get("events").isEmpty()) {
                return;
            }
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-Tenant-Id", tenant).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return Json.parse("{\"events\":[],\"head_seq\":0}");
        }
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    private synchronized void take(long seq) {
        taken.add(seq);
        last = seq;
    }

    @Override
    public void close() throws Exception {
        inbox.add(STOP);
        worker.join(10_000);
        if (socket != null && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean lastPart) {
            partial.append(data);
            if (lastPart) {
                inbox.add(Json.parse(partial.toString().getBytes(StandardCharsets.UTF_8)));
                partial.setLength(0);
            }
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (webSocket != leaving) {
                inbox.add(CLOSED);
            }
            return CompletableFuture.completedFuture(null);
        }
    }
}
