package dev.sessionlog.testing;

import dev.sessionlog.client.RequestObserver;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what a client costs: appends (requests and the bytes of their bodies as sent) and events
 * read (pages and the events they held). Read it before and after a piece of work; the difference
 * is that work's cost.
 */
public final class Meter implements RequestObserver {
  private final AtomicLong appendRequests = new AtomicLong();
  private final AtomicLong appendBytes = new AtomicLong();
  private final AtomicLong readPages = new AtomicLong();
  private final AtomicLong eventsRead = new AtomicLong();

  /** The counters at one moment. */
  public record Reading(long appendRequests, long appendBytes, long readPages, long eventsRead) {
    public Reading minus(Reading earlier) {
      return new Reading(appendRequests - earlier.appendRequests, appendBytes - earlier.appendBytes,
          readPages - earlier.readPages, eventsRead - earlier.eventsRead);
    }
  }

  @Override
  public void onRequest(String method, URI uri, int requestBytes, int status, int attempts) {
    if ("POST".equals(method) && uri.getPath().endsWith("/events")) {
      appendRequests.incrementAndGet();
      appendBytes.addAndGet(requestBytes);
    }
  }

  @Override
  public void onEventsRead(String sessionId, int events) {
    readPages.incrementAndGet();
    eventsRead.addAndGet(events);
  }

  public Reading now() {
    return new Reading(appendRequests.get(), appendBytes.get(), readPages.get(), eventsRead.get());
  }
}
