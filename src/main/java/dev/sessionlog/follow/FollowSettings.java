package dev.sessionlog.follow;

/**
 * Following sessions over WebSocket.
 *
 * @param table    FOLLOW_TABLE: tickets and subscriptions ("" when following is not deployed)
 * @param url      FOLLOW_URL: the WebSocket URL followers connect to, wss://... ("" turns the follow route off:
 *                 clients fall back to reads with wait=)
 * @param endpoint FOLLOW_ENDPOINT: API Gateway's management endpoint of that API, https://.../{stage}, where
 *                 the fan-out posts to connections ("" where the local runner delivers itself)
 */
public record FollowSettings(String table, String url, String endpoint) {

    public static final FollowSettings OFF = new FollowSettings("", "", "");

    public FollowSettings {
        table = table == null ? "" : table.trim();
        url = url == null ? "" : url.trim();
        endpoint = endpoint == null ? "" : endpoint.trim();
    }

    public boolean enabled() {
        return !table.isEmpty() && !url.isEmpty();
    }
}
