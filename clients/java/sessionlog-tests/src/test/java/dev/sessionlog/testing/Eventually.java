package dev.sessionlog.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** For what the service builds after its answer (lists, children, materialized sessions): asks until true or the time is up. */
public final class Eventually {
  private Eventually() {}

  public static <T> T await(String what, Duration within, Supplier<T> probe, java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + within.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.get();
      if (done.test(last)) {
        return last;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError(what + " did not happen within " + within + "; last seen: " + last);
  }
}
