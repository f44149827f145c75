package dev.sessionlog.follow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/** What API Gateway's WebSocket API hands a Lambda integration: the route, the connection and the query. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class WebSocketEvent {

    public RequestContext requestContext;
    public Map<String, String> queryStringParameters;
    public String body;

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class RequestContext {
        /** $connect, $disconnect, $default */
        public String routeKey;
        public String connectionId;
        public String requestId;
    }

    /** An event of the route on the connection; {@code ticket} (or null) as the query's. */
    public static WebSocketEvent of(String routeKey, String connectionId, String ticket) {
        WebSocketEvent e = new WebSocketEvent();
        e.requestContext = new RequestContext();
        e.requestContext.routeKey = routeKey;
        e.requestContext.connectionId = connectionId;
        e.queryStringParameters = ticket == null ? null : Map.of("ticket", ticket);
        return e;
    }

    public String routeKey() {
        return requestContext == null || requestContext.routeKey == null ? "" : requestContext.routeKey;
    }

    public String connectionId() {
        return requestContext == null ? null : requestContext.connectionId;
    }

    public String query(String name) {
        return queryStringParameters == null ? null : queryStringParameters.get(name);
    }
}
