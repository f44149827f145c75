package dev.sessionlog.follow;

import dev.sessionlog.log.StreamKey;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The follow API's routes. {@code $connect} takes the ticket the follow route issued (once) and
 * subscribes the connection to its session before the connection opens, so every event appended
 * after it opens is pushed. {@code $default} takes the followers' keep-alive messages (API Gateway
 * closes a connection idle for 10 minutes). {@code $disconnect} does nothing: a closed connection's
 * subscription goes when a push finds it gone, or by TTL.
 */
public final class FollowSocketHandler {

    private static final Logger LOG = Logger.getLogger(FollowSocketHandler.class);

    private final FollowTickets tickets;
    private final Subscriptions subscriptions;

    public FollowSocketHandler(FollowTickets tickets, Subscriptions subscriptions) {
        this.tickets = tickets;
        this.subscriptions = subscriptions;
    }

    public WebSocketResponse handle(WebSocketEvent event) {
        String connection = event.connectionId();
        if (connection == null || connection.isEmpty()) {
            return new WebSocketResponse(400, "no connection id");
        }
        return switch (event.routeKey()) {
            case "$connect" -> connect(event, connection);
            case "$disconnect", "$default" -> new WebSocketResponse(200, null);
            default -> new WebSocketResponse(404, "no route " + event.routeKey());
        };
    }

    private WebSocketResponse connect(WebSocketEvent event, String connection) {
        Optional<StreamKey> session = tickets.redeem(event.query("ticket"));
        if (session.isEmpty()) {
            LOG.infof("follow connection %s refused: no valid ticket", connection);
            return new WebSocketResponse(401, "the ticket is unknown, used or expired: ask POST /v1/sessions/{session_id}/follow for another");
        }
        subscriptions.add(session.get(), connection);
        LOG.infof("connection %s follows session %s", connection, session.get().sessionId());
        return new WebSocketResponse(200, null);
    }
}
