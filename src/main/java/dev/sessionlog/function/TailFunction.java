package dev.sessionlog.function;

import dev.sessionlog.api.HttpApiEvent;
import dev.sessionlog.api.HttpApiResponse;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.observe.Invocation;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/**
 * The events Lambda: {@code GET /v1/sessions/{id}/events}, the one route whose reads may wait
 * (wait=N, up to 20 s). Its own function, so that waiting readers have their own concurrency and
 * memory, never the append function's or the other reads'; the same handler as the query Lambda.
 */
public class TailFunction {

    @Inject
    QueryHandler handler;

    @Funq("tail")
    public HttpApiResponse tail(HttpApiEvent event) {
        Invocation.begin();
        return handler.handle(event);
    }
}
