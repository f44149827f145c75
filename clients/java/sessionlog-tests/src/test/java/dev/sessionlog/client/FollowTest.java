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
