package dev.sessionlog.client;

import java.util.concurrent.CompletableFuture;

/**
 * Appends one session's events in batches: a request per burst (a turn) instead of one per event.
 * Events are stored in the order {@link #send} was called, with one request in flight at a time.
 * Each event gets its id (a UUIDv7 unless it has one) when it is sent, so retries never store it
 * twice. Once a batch fails for good, every later event fails with the same cause (nothing is stored
 * out of order, and nothing after a gap): make a new producer to go on.
 */
public interface SessionProducer extends AutoCloseable {
  /** Queues the event; the future completes when it is stored (or fails). */
  CompletableFuture<AppendedEvent> send(NewEvent event);

  /** Sends what is queued now, without waiting for the linger, and waits until all of it is stored or failed. */
  void flush();

  /** Flushes, then refuses further events. */
  @Override
  void close();

  /** The session this producer appends to. */
  String sessionId();

  /** How many append requests it has sent (each one a batch), for cost accounting. */
  long requestsSent();
}
