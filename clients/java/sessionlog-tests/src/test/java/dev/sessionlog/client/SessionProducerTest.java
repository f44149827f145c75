package dev.sessionlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.client.errors.SessionErasingException;
import dev.sessionlog.testing.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The batching producer against the real service. */
@ExtendWith(Service.class)
class SessionProducerTest {
  private static SessionlogClient client;

  @BeforeAll
  static void connect() {
    client = Service.client(Service.freshTenant("producer"));
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void eightThreadsKeepTheirOrderAndLoseNothing() throws Exception {
    int threads = 8;
    int perThread = 60;
    Map<String, CompletableFuture<AppendedEvent>> futures = new java.util.concurrent.ConcurrentHashMap<>();
    SessionProducer producer = client.producer("eight");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      pool.execute(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int n = 0; n < perThread; n++) {
          futures.put(thread + ":" + n, producer.send(NewEvent.of(Map.of("type", "Step", "thread", thread, "n", n))));
        }
      });
    }
    go.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    producer.close();

    List<EventRecord> stored = client.readAll("eight", ReadOptions.fromStart().limit(1000)).toList();
    assertEquals(threads * perThread, stored.size(), "nothing lost, nothing twice");
    Map<Integer, List<Integer>> byThread = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (EventRecord record : stored) {
      byThread.computeIfAbsent(record.event().get("thread").asInt(), k -> new ArrayList<>()).add(record.event().get("n").asInt());
      ids.add(record.eventId());
      AppendedEvent promised = futures.get(record.event().get("thread").asInt() + ":" + record.event().get("n").asInt()).get();
      assertEquals(record.seq(), promised.seq(), "the future names the seq the event was stored at");
      assertEquals(record.eventId(), promised.eventId());
    }
    assertEquals(threads * perThread, ids.size());
    for (int t = 0; t < threads; t++) {
      List<Integer> expected = new ArrayList<>();
      for (int n = 0; n < perThread; n++) {
        expected.add(n);
      }
      assertEquals(expected, byThread.get(t), "thread " + t + "'s events in the order it sent them");
    }
    assertTrue(producer.requestsSent() < threads * perThread / 4,
        "batched: " + producer.requestsSent() + " requests for " + threads * perThread + " events");
  }

  @Test
  void aTurnsBurstGoesInFewerRequestsThanEvents() throws Exception {
    try (SessionProducer producer = client.producer("burst")) {
      List<CompletableFuture<AppendedEvent>> turn = new ArrayList<>();
      for (String type : List.of("TurnStart", "MessageStart", "MessageEnd", "MessageStart", "MessageUpdate",
          "MessageUpdate", "MessageEnd", "ToolExecutionStart", "ToolExecutionEnd", "TurnEnd")) {
        turn.add(producer.send(NewEvent.of(Map.of("type", type))));
      }
      Set<Long> requests = new HashSet<>();
      for (CompletableFuture<AppendedEvent> future : turn) {
        requests.add(future.get(30, TimeUnit.SECONDS).receipt().seq()); // one receipt per request
      }
      assertTrue(requests.size() < turn.size(), requests.size() + " requests for " + turn.size() + " events");
      assertEquals(requests.size(), producer.requestsSent());
      assertTrue(client.verify("burst", turn.get(0).get().receipt()).receiptOk());
    }
  }

  @Test
  void theLingerSendsWithoutAFlushAndCloseRefusesMore() throws Exception {
    SessionProducer producer = client.producer("linger", ProducerOptions.defaults().withLinger(Duration.ofMillis(20)));
    AppendedEvent stored = producer.send(NewEvent.of(Map.of("type", "Alone"))).get(30, TimeUnit.SECONDS);
    assertEquals(1, stored.seq());
    producer.close();
    assertThrows(IllegalStateException.class, () -> producer.send(NewEvent.of(Map.of("type", "Late"))));
  }

  @Test
  void aBatchThatFailsForGoodFailsEverythingAfterIt() throws Exception {
    client.append("doomed", NewEvent.of(Map.of("type", "Start")));
    client.erase("doomed");
    SessionProducer producer = client.producer("doomed");
    CompletableFuture<AppendedEvent> first = producer.send(NewEvent.of(Map.of("type", "Step")));
    producer.flush();
    ExecutionException failure = assertThrows(ExecutionException.class, first::get);
    assertTrue(failure.getCause() instanceof SessionErasingException, failure.getCause().toString());
    ExecutionException later = assertThrows(ExecutionException.class, () -> producer.send(NewEvent.of(Map.of("type", "Step"))).get());
    assertTrue(later.getCause() instanceof SessionErasingException);
  }
}
