package dev.sessionlog.client.internal;

import dev.sessionlog.client.EventFollower;
import dev.sessionlog.client.EventsPage;
import dev.sessionlog.client.FollowOptions;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.RetryPolicy;
import dev.sessionlog.client.errors.ThrottledException;
import dev.sessionlog.client.errors.TransportException;
import dev.sessionlog.client.errors.UnavailableException;
import java.time.Duration;

/** The follower: ascending reads with {@code wait=}, each after the previous answer's {@code next_after_seq}. */
public final class Followers {
  /** Reads one page for a follower, with the retry policy given. */
  @FunctionalInterface
  public interface Reader {
    EventsPage read(String sessionId, ReadOptions options, RetryPolicy policy);
  }

  private static final Duration MAX_PAUSE = Duration.ofSeconds(2);

  private Followers() {}

  /** A follower by held reads ({@code wait=}) only. */
  public static EventFollower follower(String sessionId, long afterSeq, FollowOptions options, Reader reader) {
    return new Follower(sessionId, afterSeq, options, reader);
  }

  /**
   * A follower by push where the service offers it ({@code tickets} answers the follow URL, or null
   * when the service pushes nothing), by held reads otherwise.
   */
  public static EventFollower follower(String sessionId, long afterSeq, FollowOptions options, Reader reader,
      java.util.function.Function<String, java.net.URI> tickets, java.net.http.HttpClient http) {
    return new PushFollower(sessionId, afterSeq, options, reader, tickets, http);
  }

  /**
   * One read; while the service does not answer, tries again (backing off, honouring Retry-After)
   * until the follower's patience ({@link FollowOptions#giveUpAfter()}) runs out; null once closed.
   */
  static EventsPage readPatiently(Reader reader, String sessionId, ReadOptions read, FollowOptions options,
      java.util.function.BooleanSupplier closed) {
    long firstFailure = 0;
    int attempt = 0;
    while (!closed.getAsBoolean()) {
      try {
        return reader.read(sessionId, read, RetryPolicy.none());
      } catch (TransportException | UnavailableException | ThrottledException e) {
        long now = System.nanoTime();
        if (firstFailure == 0) {
          firstFailure = now;
        } else if (Duration.ofNanos(now - firstFailure).compareTo(options.giveUpAfter()) > 0) {
          throw e;
        }
        attempt++;
        Duration pause = Duration.ofMillis(Math.min(MAX_PAUSE.toMillis(), 100L << Math.min(attempt, 5)));
        if (e.retryAfter().isPresent() && e.retryAfter().get().compareTo(pause) > 0) {
          pause = e.retryAfter().get();
        }
        try {
          Thread.sleep(pause.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    return null;
  }

  private static final class Follower extends BufferedFollower {
    private final FollowOptions options;
    private final Reader reader;
    private volatile boolean closed;
    private long cursor;

    Follower(String sessionId, long afterSeq, FollowOptions options, Reader reader) {
      super(sessionId, afterSeq);
      this.options = options;
      this.reader = reader;
      this.cursor = afterSeq;
    }

    @Override
    public synchronized boolean hasNext() {
      while (buffer.isEmpty()) {
        if (closed) {
          return false;
        }
        EventsPage page = readPatiently();
        if (page == null) {
          return false;
        }
        page.events().forEach(buffer::addLast);
        if (page.nextAfterSeq() != null) {
          cursor = Math.max(cursor, page.nextAfterSeq());
        } else if (!page.events().isEmpty()) {
          cursor = page.events().get(page.events().size() - 1).seq();
        }
      }
      return true;
    }

    private EventsPage readPatiently() {
      ReadOptions read = ReadOptions.after(cursor).limit(options.pageSize()).waitSeconds(options.waitSeconds());
      if (!options.types().isEmpty()) {
        read.types(options.types());
      }
      return Followers.readPatiently(reader, sessionId, read, options, () -> closed);
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
