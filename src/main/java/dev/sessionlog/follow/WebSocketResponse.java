package dev.sessionlog.follow;

/** A WebSocket route's answer: for $connect, a status other than 2xx refuses the connection. */
public class WebSocketResponse {

    public int statusCode;
    public String body;

    public WebSocketResponse() {
    }

    WebSocketResponse(int statusCode, String body) {
        this.statusCode = statusCode;
        this.body = body;
    }
}
