package dev.sessionlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.testing.LocalRunner;
import dev.sessionlog.testing.Service;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Following a session: catch up, then wait for what comes; survive the service going away. */
@ExtendWith(Service.class)
class FollowTest {

  private static List<NewEvent> steps(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> NewEvent.of("f-" + i, Map.of("type", "Step", "n", i))).toList();
  }

  /** What each drained follower failed with, by its queue. */
  private static final Map<BlockingQueue<EventRecord>, Throwable> FAILURES = new java.util.concurrent.ConcurrentHashMap<>();

  /** Runs the follower on its own thread, handing what it yields to a queue. */
  private static BlockingQueue<EventRecord> drain(EventFollower follower, AtomicReference<Throwable> failure) {
    BlockingQueue<EventRecord> received = new LinkedBlockingQueue<>();
    Thread thread = new Thread(() -> {
      try {
        while (follower.hasNext()) {
          received.add(follower.next());
        }
      } catch (Throwable t) {
        failure.set(t);
        FAILURES.put(received, t);
      }
    }, "follower");
    thread.setDaemon(true);
    thread.start();
    return received;
  }

  private static List<Long> take(BlockingQueue<EventRecord> received, int count) throws InterruptedException {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      EventRecord record = received.poll(90, TimeUnit.SECONDS);
      if (record == null && FAILURES.containsKey(received)) {
        throw new AssertionError("the follower failed", FAILURES.get(received));
      }
      assertNotNull(record, "event " + (i + 1) + " of " + count + " came");
      seqs.add(record.seq());
    }
    return seqs;
  }

  @Test
  void catchesUpThenFollowsAndEndsWithTheErasure() throws Exception {
    try (SessionlogClient client = Service.client(Service.freshTenant("follow"))) {
      client.append("watched", steps(1, 3));
      AtomicReference<Throwable> failure = new AtomicReference<>();
      EventFollower follower = client.follow("watched", 1, FollowOptions.defaults().withWaitSeconds(2));
      BlockingQueue<EventRecord> received = drain(follower, failure);
      assertEquals(List.of(2L, 3L), take(received, 2));
      client.append("watched", steps(4, 5));
      assertEquals(List.of(4L, 5L), take(received, 2));
      assertEquals(5, follower.lastSeq());

      // a follower of a session that does not exist yet waits for its first event
      EventFollower early = client.follow("not-yet", 0, FollowOptions.defaults().withWaitSeconds(2).withTypes("Step"));
      BlockingQueue<EventRecord> earlyReceived = drain(early, new AtomicReference<>());
      client.append("not-yet", NewEvent.of(Map.of("type", "Other")), NewEvent.of(Map.of("type", "Step")));
      assertEquals(List.of(2L), take(earlyReceived, 1));
      early.close();

      client.erase("watched");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (failure.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(failure.get() instanceof SessionNotFoundException, "an erased session ends the follower: " + failure.get());
    }
  }

  /**
   * Pushed: once caught up, the follower takes what is appended from the follow API's WebSocket and
   * reads nothing more over HTTP; a type filter applies to pushed events too; with push off it
   * follows with held reads, as before.
   */
  @Test
  void takesPushedEventsWithoutReadingThemAndEveryTypeFilterHolds() throws Exception {
    List<String> reads = java.util.Collections.synchronizedList(new ArrayList<>());
    RequestObserver observer = new RequestObserver() {
      @Override
      public void onRequest(String method, java.net.URI uri, int requestBytes, int status, int attempts) {
        if (uri.getPath().endsWith("/events") && method.equals("GET")) {
          reads.add(uri.getRawQuery());
        }
      }
    };
    try (SessionlogClient client = Service.client(Service.freshTenant("pushed"), observer)) {
      client.append("live", steps(1, 2));
      AtomicReference<Throwable> failure = new AtomicReference<>();
      EventFollower follower = client.follow("live", 0);
      BlockingQueue<EventRecord> received = drain(follower, failure);
      assertEquals(List.of(1L, 2L), take(received, 2));
      EventFollower stepsOnly = client.follow("live", 0, FollowOptions.defaults().withTypes("Step"));
      BlockingQueue<EventRecord> stepsReceived = drain(stepsOnly, failure);
      assertEquals(List.of(1L, 2L), take(stepsReceived, 2));
      Thread.sleep(500); // both connected and caught up
      int readsBefore = reads.size();
      for (int i = 3; i <= 6; i++) {
        client.append("live", i % 2 == 0 ? steps(i, i) : List.of(NewEvent.of("o-" + i, Map.of("type", "Other", "n", i))));
        Thread.sleep(150);
      }
      assertEquals(List.of(3L, 4L, 5L, 6L), take(received, 4));
      assertEquals(List.of(4L, 6L), take(stepsReceived, 2), "a filter holds for pushed events");
      assertEquals(readsBefore, reads.size(), "pushed, not read: " + reads.subList(readsBefore, reads.size()));
      assertEquals(null, failure.get());
      follower.close();
      stepsOnly.close();

      // push off: held reads (wait=) carry it
      EventFollower held = client.follow("live", 6, FollowOptions.defaults().withPush(false).withWaitSeconds(2));
      BlockingQueue<EventRecord> heldReceived = drain(held, failure);
      client.append("live", steps(7, 7));
      assertEquals(List.of(7L), take(heldReceived, 1));
      assertTrue(reads.stream().anyMatch(q -> q.contains("wait=2")), reads::toString);
      held.close();
    }
  }

  /**
   * A real restart: a runner of its own with a data directory (an in-memory one would come back
   * empty) is stopped while the follower waits, and started again on the same ports. What this
   * proves: the follower rides out the refused connections and resumes from its cursor, so every
   * event reaches it once, in order, with none missed across the restart.
   */
  @Test
  void resumesAfterTheRunnerRestarts(@TempDir Path data) throws Exception {
    try (LocalRunner runner = LocalRunner.withDataDir(data.resolve("data"), Path.of("target", "restart-runner.log").toAbsolutePath())) {
      runner.start();
      try (SessionlogClient client = SessionlogClient.builder().baseUrl(runner.baseUrl()).tenant("restart").build()) {
        client.append("kept", steps(1, 3));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        EventFollower follower = client.follow("kept", 0, FollowOptions.defaults().withWaitSeconds(2));
        BlockingQueue<EventRecord> received = drain(follower, failure);
        assertEquals(List.of(1L, 2L, 3L), take(received, 3));

        runner.stop();
        assertThrows(dev.sessionlog.client.errors.TransportException.class,
            () -> SessionlogClient.builder().baseUrl(runner.baseUrl()).tenant("restart").retryPolicy(RetryPolicy.none()).build().head("kept"),
            "the service is really gone");
        runner.start();

        client.append("kept", steps(4, 6));
        assertEquals(List.of(4L, 5L, 6L), take(received, 3));
        assertEquals(6, follower.lastSeq());
        assertTrue(received.isEmpty(), "nothing twice");
        assertEquals(null, failure.get());
        follower.close();
      }
    }
  }
}
