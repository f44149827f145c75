package dev.sessionlog.follow;

/**
 * The open WebSocket connections, as the fan-out reaches them: API Gateway's management API on AWS,
 * the local runner's own server on one machine.
 */
public interface Connections {

    /** What became of a message. */
    enum Delivery {
        SENT,
        /** The connection is closed, or not open yet (API Gateway answers both with 410 Gone). */
        GONE
    }

    /**
     * Sends one text message.
     *
     * @throws RuntimeException when it may work later (throttled, unavailable): the batch is retried
     */
    Delivery send(String connectionId, String message);

    /** Closes the connection; one already gone is no error. */
    void close(String connectionId);
}
