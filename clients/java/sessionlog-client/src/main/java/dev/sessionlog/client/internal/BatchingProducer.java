package dev.sessionlog.client.internal;

import dev.sessionlog.client.AppendResult;
import dev.sessionlog.client.AppendedEvent;
import dev.sessionlog.client.NewEvent;
import dev.sessionlog.client.ProducerOptions;
import dev.sessionlog.client.SessionProducer;
import dev.sessionlog.client.SessionlogClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The batching producer: a queue in send order, a linger timer started by the first event of a
 * batch, and at most one append in flight. Futures are completed outside the lock, so a callback
 * may send again.
 */
public final class BatchingProducer implements SessionProducer {
  /** {"events":[...]} around the envelopes, and a comma between them. */
  private static final int REQUEST_OVERHEAD_BYTES = 32;

  private record Pending(NewEvent event, int bytes, long queuedAtNanos, CompletableFuture<AppendedEvent> future) {}

  private final String sessionId;
  private final ProducerOptions options;
  private final Function<List<NewEvent>, AppendResult> appender;
  private final ScheduledExecutorService timers;
  private final ExecutorService senders;
  private final AtomicLong requestsSent = new AtomicLong();

  private final Object lock = new Object();
  private final Deque<Pending> queue = new ArrayDeque<>();
  private List<Pending> inFlight = List.of();
  private boolean sending;
  private long queuedBytes;
  private ScheduledFuture<?> lingerTimer;
  private boolean urgent;
  private boolean closed;
  private Throwable failure;

  public BatchingProducer(String sessionId, ProducerOptions options, Function<List<NewEvent>, AppendResult> appender,
      ScheduledExecutorService timers, ExecutorService senders) {
    this.sessionId = sessionId;
    this.options = options;
    this.appender = appender;
    this.timers = timers;
    this.senders = senders;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  @Override
  public long requestsSent() {
    return requestsSent.get();
  }

  @Override
  public CompletableFuture<AppendedEvent> send(NewEvent event) {
    if (event == null) {
      throw new IllegalArgumentException("event must not be null");
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the producer of session " + sessionId + " is closed");
      }
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      NewEvent withId = event.eventId() == null ? event.withEventId(EventIds.next()) : event;
      int eventBytes = Json.write(withId.event()).length;
      if (eventBytes > SessionlogClient.MAX_EVENT_BYTES) {
        throw new IllegalArgumentException("event " + withId.eventId() + " is " + eventBytes
            + " bytes of JSON; the limit is 1 MiB per event");
      }
      int bytes = Json.write(SessionlogClient.envelope(withId)).length + 1;
      Pending pending = new Pending(withId, bytes, System.nanoTime(), new CompletableFuture<>());
      queue.addLast(pending);
      queuedBytes += bytes;
      if (!sending) {
        if (batchFull()) {
          dispatchLocked();
        } else if (lingerTimer == null) {
          lingerTimer = timers.schedule(this::lingerElapsed, options.linger().toNanos(), TimeUnit.NANOSECONDS);
        }
      }
      return pending.future();
    }
  }

  @Override
  public void flush() {
    List<CompletableFuture<AppendedEvent>> waitFor = new ArrayList<>();
    synchronized (lock) {
      if (queue.isEmpty() && inFlight.isEmpty()) {
        return;
      }
      urgent = true;
      inFlight.forEach(p -> waitFor.add(p.future()));
      queue.forEach(p -> waitFor.add(p.future()));
      if (!sending) {
        dispatchLocked();
      }
    }
    try {
      CompletableFuture.allOf(waitFor.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      // each failed event's future carries its failure; flush only waits
    }
  }

  @Override
  public void close() {
    flush();
    synchronized (lock) {
      closed = true;
      if (lingerTimer != null) {
        lingerTimer.cancel(false);
        lingerTimer = null;
      }
    }
  }

  private void lingerElapsed() {
    synchronized (lock) {
      lingerTimer = null;
      if (!sending && !queue.isEmpty()) {
        dispatchLocked();
      }
    }
  }

  private boolean batchFull() {
    return queue.size() >= options.maxBatchEvents() || queuedBytes + REQUEST_OVERHEAD_BYTES >= options.maxBatchBytes();
  }

  /** Takes the next batch off the queue and hands it to a sender thread. Called with the lock held. */
  private void dispatchLocked() {
    if (lingerTimer != null) {
      lingerTimer.cancel(false);
      lingerTimer = null;
    }
    List<Pending> batch = new ArrayList<>();
    long bytes = REQUEST_OVERHEAD_BYTES;
    while (!queue.isEmpty() && batch.size() < options.maxBatchEvents()) {
      Pending next = queue.peekFirst();
      if (!batch.isEmpty() && bytes + next.bytes() > options.maxBatchBytes()) {
        break;
      }
      queue.removeFirst();
      queuedBytes -= next.bytes();
      bytes += next.bytes();
      batch.add(next);
    }
    sending = true;
    inFlight = batch;
    senders.execute(() -> sendBatch(batch));
  }

  private void sendBatch(List<Pending> batch) {
    List<NewEvent> events = new ArrayList<>(batch.size());
    batch.forEach(p -> events.add(p.event()));
    List<Pending> alsoFailed = List.of();
    Throwable failed = null;
    try {
      AppendResult result = appender.apply(events);
      requestsSent.incrementAndGet();
      Map<String, AppendedEvent> byId = new HashMap<>();
      result.events().forEach(e -> byId.put(e.eventId(), e));
      for (Pending pending : batch) {
        AppendedEvent appended = byId.get(pending.event().eventId());
        if (appended == null) {
          pending.future().completeExceptionally(new IllegalStateException(
              "the append's answer does not name event " + pending.event().eventId()));
        } else {
          pending.future().complete(appended);
        }
      }
    } catch (Throwable t) {
      requestsSent.incrementAndGet();
      failed = t;
    }
    synchronized (lock) {
      sending = false;
      inFlight = List.of();
      if (failed != null) {
        // Fail closed: nothing after a lost batch is stored, so the session never has a gap in the sender's order.
        failure = failed;
        alsoFailed = new ArrayList<>(queue);
        queue.clear();
        queuedBytes = 0;
        urgent = false;
      } else if (!queue.isEmpty()) {
        long waitedNanos = System.nanoTime() - queue.peekFirst().queuedAtNanos();
        if (urgent || batchFull() || waitedNanos >= options.linger().toNanos()) {
          dispatchLocked();
        } else if (lingerTimer == null) {
          lingerTimer = timers.schedule(this::lingerElapsed, options.linger().toNanos() - waitedNanos, TimeUnit.NANOSECONDS);
        }
      } else {
        urgent = false;
      }
    }
    if (failed != null) {
      for (Pending pending : batch) {
        pending.future().completeExceptionally(failed);
      }
      for (Pending pending : alsoFailed) {
        pending.future().completeExceptionally(failed);
      }
    }
  }
}
