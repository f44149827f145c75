package dev.sessionlog.function;

import dev.sessionlog.api.HttpApiEvent;
import dev.sessionlog.api.HttpApiResponse;
import dev.sessionlog.api.QueryHandler;
import dev.sessionlog.observe.Invocation;
import io.quarkus.funqy.Funq;
import jakarta.inject.Inject;

/** The query Lambda: the read routes behind the HTTP API. */
public class QueryFunction {

    @Inject
    QueryHandler handler;

    @Funq("query")
    public HttpApiResponse query(HttpApiEvent event) {
        Invocation.begin();
        return handler.handle(event);
    }
}
