package dev.sessionlog.log;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Threads for the store calls one request makes at once (id lookups, body fetches, index shards):
 * the latency of a request is then one round trip, not one per call. Daemon threads, one pool per
 * process; a task never waits for another task of the pool.
 */
public final class IoPool {

    private static final ExecutorService POOL = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "sessionlog-io");
        t.setDaemon(true);
        return t;
    });

    private IoPool() {
    }

    public static <T> CompletableFuture<T> supply(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, POOL);
    }

    /** The result, or the task's own exception (not wrapped). */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
