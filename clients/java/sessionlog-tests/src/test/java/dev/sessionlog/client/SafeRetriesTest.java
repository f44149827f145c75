package dev.sessionlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.client.errors.ThrottledException;
import dev.sessionlog.client.errors.TransportException;
import dev.sessionlog.client.errors.UnavailableException;
import dev.sessionlog.testing.FaultProxy;
import dev.sessionlog.testing.FaultProxy.Action;
import dev.sessionlog.testing.Service;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lost answers, 503s and 429s between the client and the real service (a stub proxy injects them):
 * every event is stored exactly once, as reading the session shows.
 */
@ExtendWith(Service.class)
class SafeRetriesTest {
  private static final RetryPolicy QUICK = new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(200));

  private FaultProxy proxy;
  private String tenant;
  private SessionlogClient client;
  private SessionlogClient direct;

  @BeforeEach
  void start() throws Exception {
    proxy = new FaultProxy(Service.baseUrl());
    tenant = Service.freshTenant("retries");
    client = SessionlogClient.builder().baseUrl(proxy.baseUrl()).tenant(tenant).retryPolicy(QUICK).build();
    direct = Service.client(tenant);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    direct.close();
    proxy.close();
  }

  private static boolean isAppend(String request) {
    return request.startsWith("POST ") && request.contains("/events");
  }

  private List<EventRecord> stored(String sessionId) {
    return direct.readAll(sessionId, ReadOptions.fromStart()).toList();
  }

  @Test
  void aLostAnswerIsRetriedAndStoresEachEventOnce() {
    proxy.inject(SafeRetriesTest::isAppend, Action.LOSE_ANSWER, 1);
    List<NewEvent> turn = IntStream.range(0, 3).mapToObj(i -> NewEvent.of(Map.of("type", "Step", "n", i))).toList();

    AppendResult result = client.append("lost-1", turn);

    assertTrue(result.duplicate(), "the retry found the first attempt's events stored");
    assertEquals(List.of(1L, 2L, 3L), result.events().stream().map(AppendedEvent::seq).toList());
    assertEquals(2, proxy.count(s -> s.method().equals("POST")), "one lost answer, one retry");
    List<EventRecord> stored = stored("lost-1");
    assertEquals(3, stored.size(), "each event stored once");
    assertEquals(result.events().stream().map(AppendedEvent::eventId).toList(), stored.stream().map(EventRecord::eventId).toList());
    assertEquals(result.chain(), stored.get(2).chain(), "the retry's receipt is the first answer's");
  }

  @Test
  void aLostAnswerWithExpectedSeqIsStillADuplicateNotAConflict() {
    direct.append("lost-2", NewEvent.of(Map.of("type", "Start")));
    proxy.inject(SafeRetriesTest::isAppend, Action.LOSE_ANSWER, 2);
    AppendResult result = client.append("lost-2", List.of(NewEvent.of(Map.of("type", "Step"))), 1);
    assertTrue(result.duplicate());
    assertEquals(2, stored("lost-2").size());
  }

  @Test
  void dropped503And429AreRetried() {
    proxy.inject(SafeRetriesTest::isAppend, Action.DROP, 1)
        .inject(SafeRetriesTest::isAppend, Action.UNAVAILABLE, 1)
        .inject(SafeRetriesTest::isAppend, Action.THROTTLED, 1);
    AppendResult result = client.append("flaky", NewEvent.of(Map.of("type", "Step")));
    assertFalse(result.duplicate(), "the first three attempts never reached the service");
    assertEquals(4, proxy.count(s -> s.method().equals("POST")));
    assertEquals(1, stored("flaky").size());

    proxy.inject(r -> r.startsWith("GET "), Action.UNAVAILABLE, 1);
    assertEquals(1, client.head("flaky").headSeq(), "reads are retried too");
  }

  @Test
  void whenRetriesRunOutTheErrorCarriesItsFieldsAndTheSameEventsCanBeSentAgain() {
    try (SessionlogClient once = SessionlogClient.builder().baseUrl(proxy.baseUrl()).tenant(tenant)
        .retryPolicy(RetryPolicy.none()).build()) {
      proxy.inject(SafeRetriesTest::isAppend, Action.THROTTLED, 1);
      ThrottledException throttled = assertThrows(ThrottledException.class,
          () -> once.append("gave-up", NewEvent.of(Map.of("type", "Step"))));
      assertEquals(Duration.ofSeconds(1), throttled.retryAfter().orElseThrow());
      proxy.inject(SafeRetriesTest::isAppend, Action.UNAVAILABLE, 1);
      assertThrows(UnavailableException.class, () -> once.append("gave-up", NewEvent.of(Map.of("type", "Step"))));

      List<NewEvent> events = List.of(NewEvent.of("mine-1", Map.of("type", "Step")), NewEvent.of("mine-2", Map.of("type", "Step")));
      proxy.inject(SafeRetriesTest::isAppend, Action.LOSE_ANSWER, 1);
      assertThrows(TransportException.class, () -> once.append("gave-up", events));
      AppendResult resent = once.append("gave-up", events);
      assertTrue(resent.duplicate(), "the caller's own resend of the same events is recognised");
      assertEquals(2, stored("gave-up").size());
    }
  }

  @Test
  void theProducerLosesNothingAndStoresNothingTwiceThroughLostAnswers() throws Exception {
    proxy.inject(SafeRetriesTest::isAppend, Action.LOSE_ANSWER, 2);
    try (SessionProducer producer = client.producer("produced")) {
      List<java.util.concurrent.CompletableFuture<AppendedEvent>> sent = IntStream.range(0, 40)
          .mapToObj(i -> producer.send(NewEvent.of(Map.of("type", "Step", "n", i)))).toList();
      producer.flush();
      for (int i = 0; i < sent.size(); i++) {
        assertEquals(i + 1, sent.get(i).get().seq());
      }
    }
    List<EventRecord> stored = stored("produced");
    assertEquals(40, stored.size());
    assertEquals(IntStream.range(0, 40).boxed().toList(), stored.stream().map(e -> e.event().get("n").asInt()).toList());
  }
}
