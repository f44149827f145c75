package dev.sessionlog.function;

import dev.sessionlog.follow.FollowSocketHandler;
import dev.sessionlog.follow.WebSocketEvent;
import dev.sessionlog.follow.WebSocketResponse;
import dev.sessionlog.observe.Invocation;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The follow API's Lambda: the WebSocket API's $connect (a ticket in, a subscription out), $default and $disconnect. */
public class FollowFunction {

    @Inject
    FollowSocketHandler handler;

    @Funq("follow")
    public WebSocketResponse follow(WebSocketEvent event) {
        Invocation.begin();
        return handler.handle(event);
    }
}
