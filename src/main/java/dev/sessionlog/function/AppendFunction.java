package dev.sessionlog.function;

import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.HttpApiEvent;
import dev.sessionlog.api.HttpApiResponse;
import dev.sessionlog.observe.Invocation;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The append Lambda: API Gateway HTTP API (payload 2.0) in, HTTP response out. */
public class AppendFunction {

    @Inject
    AppendHandler handler;

    @Funq("append")
    public HttpApiResponse append(HttpApiEvent event) {
        Invocation.begin();
        return handler.handle(event);
    }
}
