package dev.sessionlog.follow;

import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The follow API's routes. {@code $connect} takes the ticket a follow route issued (once) and
 * subscribes the connection to its topic (a session, or the tenant's list) before the connection
 * opens, so every event appended after it opens is pushed. {@code $default} takes the followers' keep-alive messages (API Gateway
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
        Optional<FollowTopic> topic = tickets.redeem(event.query("ticket"));
        if (topic.isEmpty()) {
            LOG.infof("follow connection %s refused: no valid ticket", connection);
            return new WebSocketResponse(401, "the ticket is unknown, used or expired: ask POST /v1/sessions/{session_id}/follow for another");
        }
        subscriptions.add(topic.get(), connection);
        LOG.infof(topic.get().isTenantList() ? "connection %s follows the tenant's sessions%s" : "connection %s follows session %s",
                connection, topic.get().isTenantList() ? "" : topic.get().stream().sessionId());
        return new WebSocketResponse(200, null);
    }
}
