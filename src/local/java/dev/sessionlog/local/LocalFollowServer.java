package dev.sessionlog.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.follow.Connections;
import dev.sessionlog.follow.FollowSocketHandler;
import dev.sessionlog.follow.WebSocketEvent;
import dev.sessionlog.follow.WebSocketResponse;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.WebSocketServer;

/**
 * API Gateway's WebSocket API on localhost: the follow protocol at ws://127.0.0.1:{port}/follow. Each
 * connection, message and close becomes the event AWS would deliver ($connect with the query,
 * $default, $disconnect), through JSON to the same handler the follow Lambda runs; a $connect it
 * refuses refuses the handshake. It is also the fan-out's {@link Connections}, as API Gateway's
 * management API is on AWS: a connection not (yet) open is gone.
 */
final class LocalFollowServer extends WebSocketServer implements Connections {

    static final String PATH = "/follow";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Set once the runner's components exist; until then every connection is refused (503). */
    private volatile FollowSocketHandler handler;
    private final Map<String, WebSocket> open = new ConcurrentHashMap<>();
    private final CountDownLatch started = new CountDownLatch(1);
    /** Why the server could not start (its port taken, say), or null. */
    private volatile Exception failedToStart;

    private LocalFollowServer(int port) {
        super(new InetSocketAddress("127.0.0.1", port));
        setReuseAddr(true);
    }

    static LocalFollowServer start(int port) throws InterruptedException {
        LocalFollowServer server = new LocalFollowServer(port);
        server.start();
        if (!server.started.await(10, TimeUnit.SECONDS) || server.failedToStart != null) {
            throw new IllegalStateException("the follow server cannot listen on 127.0.0.1:" + port
                    + (server.failedToStart == null ? "" : " (" + server.failedToStart.getMessage() + ")")
                    + ": set SESSIONLOG_FOLLOW_PORT to a free port");
        }
        return server;
    }

    void serve(FollowSocketHandler handler) {
        this.handler = handler;
    }

    /** The URL followers connect to (the follow route adds the ticket). */
    String url() {
        return "ws://127.0.0.1:" + getPort() + PATH;
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn, Draft draft, ClientHandshake request)
            throws InvalidDataException {
        ServerHandshakeBuilder response = super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
        String refusal = LoopbackGuard.refusal(request.getFieldValue("Host"),
                request.hasFieldValue("Origin") ? request.getFieldValue("Origin") : null);
        if (refusal != null) {
            throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, refusal);
        }
        URI uri = URI.create(request.getResourceDescriptor());
        if (!PATH.equals(uri.getPath())) {
            throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "no WebSocket route " + uri.getPath());
        }
        String connectionId = connectionId();
        conn.setAttachment(connectionId);
        WebSocketResponse answer = deliver(event("$connect", "CONNECT", connectionId, uri.getRawQuery(), null));
        if (answer.statusCode / 100 != 2) {
            throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, answer.statusCode + " " + answer.body);
        }
        return response;
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        open.put(conn.getAttachment(), conn);
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        deliver(event("$default", "MESSAGE", conn.getAttachment(), null, message));
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        String id = conn.getAttachment();
        if (id != null && open.remove(id) != null) {
            deliver(event("$disconnect", "DISCONNECT", id, null, null));
        }
    }

    @Override
    public void onError(WebSocket conn, Exception e) {
        if (conn == null && started.getCount() > 0) {
            failedToStart = e; // binding failed: start() says so
            started.countDown();
        } else if (conn == null) {
            System.err.println("sessionlog: the follow server failed: " + e);
        }
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    @Override
    public Delivery send(String connectionId, String message) {
        WebSocket conn = open.get(connectionId);
        if (conn == null || !conn.isOpen()) {
            return Delivery.GONE;
        }
        try {
            conn.send(message);
            return Delivery.SENT;
        } catch (WebsocketNotConnectedException closedMeanwhile) {
            return Delivery.GONE;
        }
    }

    @Override
    public void close(String connectionId) {
        WebSocket conn = open.get(connectionId);
        if (conn != null) {
            conn.close(CloseFrame.NORMAL, "the session was erased");
        }
    }

    private WebSocketResponse deliver(ObjectNode event) {
        FollowSocketHandler handler = this.handler;
        if (handler == null) {
            WebSocketResponse starting = new WebSocketResponse();
            starting.statusCode = 503;
            starting.body = "the local runner is starting";
            return starting;
        }
        try {
            return handler.handle(Json.MAPPER.treeToValue(event, WebSocketEvent.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not a WebSocket event", e);
        }
    }

    /** The event API Gateway's WebSocket API hands its integration. */
    private ObjectNode event(String route, String type, String connectionId, String rawQuery, String body) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        ObjectNode context = e.putObject("requestContext");
        context.put("routeKey", route);
        context.put("eventType", type);
        context.put("connectionId", connectionId);
        context.put("requestId", UUID.randomUUID().toString());
        context.put("domainName", "127.0.0.1");
        context.put("stage", "local");
        if (rawQuery != null && !rawQuery.isEmpty()) {
            ObjectNode params = e.putObject("queryStringParameters");
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        if (body != null) {
            e.put("body", body);
        }
        e.put("isBase64Encoded", false);
        return e;
    }

    /** Ids shaped as API Gateway's: 12 random bytes, base64. */
    private static String connectionId() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return Base64.getEncoder().encodeToString(id);
    }

    /** Closes every connection and stops listening. */
    void shutdown() {
        try {
            super.stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
