package dev.sessionlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionlog.client.errors.InvalidRequestException;
import dev.sessionlog.client.errors.PartialDuplicateException;
import dev.sessionlog.client.errors.SeqConflictException;
import dev.sessionlog.client.errors.SessionErasingException;
import dev.sessionlog.client.errors.SessionExistsException;
import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.testing.Eventually;
import dev.sessionlog.testing.LocalRunner;
import dev.sessionlog.testing.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every operation of openapi.yaml through the typed client, against the real local runner. */
@ExtendWith(Service.class)
class SessionlogClientTest {
  private static String tenant;
  private static SessionlogClient client;

  @BeforeAll
  static void connect() {
    tenant = Service.freshTenant("client");
    client = Service.client(tenant);
  }

  @AfterAll
  static void close() {
    client.close();
  }

  private static List<NewEvent> numbered(String type, int from, int to) {
    return IntStream.rangeClosed(from, to)
        .mapToObj(i -> NewEvent.of("e-" + i, Map.of("type", type, "n", i)))
        .toList();
  }

  @Test
  void appendReadsBackInOrderWithReceiptsAndIds() {
    AppendResult first = client.append("s-append", numbered("Step", 1, 3), 0);
    assertEquals(3, first.headSeq());
    assertEquals(List.of(1L, 2L, 3L), first.events().stream().map(AppendedEvent::seq).toList());
    assertFalse(first.duplicate());
    assertEquals(new Receipt("s-append", 3, first.chain()), first.receipt());
    assertEquals(first.receipt(), first.events().get(0).receipt());

    AppendResult withoutIds = client.append("s-append", NewEvent.of(Map.of("type", "Note")), NewEvent.of(Map.of("type", "Note")));
    String firstMade = withoutIds.events().get(0).eventId();
    String secondMade = withoutIds.events().get(1).eventId();
    assertTrue(firstMade.matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), firstMade);
    assertTrue(firstMade.compareTo(secondMade) < 0, "client-made ids sort in the order they were made");

    EventsPage page = client.read("s-append", ReadOptions.after(1).limit(2));
    assertEquals(List.of(2L, 3L), page.events().stream().map(EventRecord::seq).toList());
    assertEquals(5, page.headSeq());
    assertEquals(3L, page.nextAfterSeq());
    EventRecord record = page.events().get(0);
    assertEquals("e-2", record.eventId());
    assertEquals("Step", record.type());
    assertEquals(2, record.event().get("n").asInt());
    assertNotNull(record.recordedAt());
    assertTrue(record.chain().matches("[0-9a-f]{64}"));
  }

  @Test
  void aRetriedAppendIsADuplicateAndConflictsCarryTheirFields() {
    List<NewEvent> events = numbered("Step", 1, 2);
    AppendResult stored = client.append("s-dup", events, 0);
    AppendResult again = client.append("s-dup", events, 0);
    assertTrue(again.duplicate());
    assertEquals(stored.chain(), again.chain());
    assertEquals(stored.events().stream().map(AppendedEvent::seq).toList(), again.events().stream().map(AppendedEvent::seq).toList());

    SeqConflictException conflict = assertThrows(SeqConflictException.class,
        () -> client.append("s-dup", numbered("Step", 3, 3), 1));
    assertEquals(2, conflict.headSeq());
    assertEquals("seq_conflict", conflict.code());
    assertEquals(409, conflict.status());

    PartialDuplicateException partial = assertThrows(PartialDuplicateException.class,
        () -> client.append("s-dup", numbered("Step", 2, 3)));
    assertEquals(List.of("e-2"), partial.storedEventIds());
    assertEquals(2, client.head("s-dup").headSeq(), "nothing was written by the refused requests");
  }

  @Test
  void newestFirstTypesAndLazyStreamsOverPages() {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      events.add(NewEvent.of("p-" + i, Map.of("type", i % 3 == 0 ? "TurnEnd" : "Other", "n", i)));
    }
    client.append("s-pages", events);

    EventsPage newest = client.read("s-pages", ReadOptions.newestFirst().limit(5));
    assertEquals(List.of(30L, 29L, 28L, 27L, 26L), newest.events().stream().map(EventRecord::seq).toList());
    assertEquals(26L, newest.nextBeforeSeq());
    EventsPage before = client.read("s-pages", ReadOptions.newestFirst().beforeSeq(3).limit(5));
    assertEquals(List.of(2L, 1L), before.events().stream().map(EventRecord::seq).toList());
    assertNull(before.nextBeforeSeq());

    List<Long> turnEnds = client.readAll("s-pages", ReadOptions.fromStart().types("TurnEnd").limit(4))
        .map(EventRecord::seq).toList();
    assertEquals(List.of(3L, 6L, 9L, 12L, 15L, 18L, 21L, 24L, 27L, 30L), turnEnds);

    // lazy: taking 3 of a 30-event session with pages of 2 reads 2 pages, not 15
    int[] pagesRead = {0};
    try (SessionlogClient counting = SessionlogClient.builder().baseUrl(Service.baseUrl()).tenant(tenant)
        .observer(new RequestObserver() {
          @Override
          public void onEventsRead(String sessionId, int count) {
            pagesRead[0]++;
          }
        }).build()) {
      List<Long> firstThree = counting.readAll("s-pages", ReadOptions.fromStart().limit(2)).limit(3).map(EventRecord::seq).toList();
      assertEquals(List.of(1L, 2L, 3L), firstThree);
      assertEquals(2, pagesRead[0]);
      Iterator<EventRecord> newestFirst = counting.iterate("s-pages", ReadOptions.newestFirst().limit(7));
      List<Long> all = new ArrayList<>();
      newestFirst.forEachRemaining(e -> all.add(e.seq()));
      assertEquals(30, all.size());
      assertEquals(30L, all.get(0));
      assertEquals(1L, all.get(29));
    }
  }

  @Test
  void headAndMissingSessions() {
    client.append("s-head", numbered("Step", 1, 4));
    Head head = client.head("s-head");
    assertEquals(4, head.headSeq());
    assertEquals("e-4", head.event().eventId());
    SessionNotFoundException missing = assertThrows(SessionNotFoundException.class, () -> client.head("s-never"));
    assertEquals(404, missing.status());
    assertThrows(SessionNotFoundException.class, () -> client.read("s-never", ReadOptions.fromStart()));
  }

  @Test
  void childrenAcrossSessions() {
    client.append("s-parent", NewEvent.of("call-1", Map.of("type", "ToolCall")));
    client.append("s-child", NewEvent.of("c-1", Map.of("type", "Started")).withParent("s-parent", "call-1"),
        NewEvent.of("c-2", Map.of("type", "Done")).withParent("c-1"));
    ChildrenPage page = Eventually.await("the child indexed", Duration.ofSeconds(20),
        () -> client.children("s-parent", "call-1", 10, null), p -> !p.children().isEmpty());
    ChildRecord child = page.children().get(0);
    assertEquals("s-child", child.sessionId());
    assertEquals("c-1", child.eventId());
    assertEquals("s-parent", child.parentSessionId());
    assertNull(page.nextCursor());
    List<ChildRecord> inSession = Eventually.await("the same-session child indexed", Duration.ofSeconds(20),
        () -> client.allChildren("s-child", "c-1").toList(), l -> !l.isEmpty());
    assertEquals("c-2", inSession.get(0).eventId());
    assertNull(inSession.get(0).parentSessionId());
  }

  @Test
  void materializedSessionLoopsPartsAndTheList() throws Exception {
    String sessionId = "ops-" + Long.toHexString(System.nanoTime());
    JsonNode demo = new ObjectMapper().readTree(
        Files.readString(LocalRunner.repositoryRoot().resolve("examples/demo.json")).replace("\"demo", "\"" + sessionId));
    List<NewEvent> firstLoop = new ArrayList<>();
    for (JsonNode envelope : demo.get("events")) {
      NewEvent event = new NewEvent(envelope.get("event_id").asText(),
          envelope.path("parent_event_id").isTextual() ? envelope.get("parent_event_id").asText() : null, null,
          (com.fasterxml.jackson.databind.node.ObjectNode) envelope.get("event"));
      firstLoop.add(event);
      if (event.type().equals("AgentEnd")) {
        break;
      }
    }
    AppendResult appended = client.append(sessionId, firstLoop, 0);

    MaterializedSession session = Eventually.await("the recorder's fold", Duration.ofSeconds(30),
        () -> client.session(sessionId), s -> s.recordedThroughSeq() == appended.headSeq());
    assertEquals("agent-7", session.agentId());
    assertEquals(1, session.loops().size());
    Loop loop = session.loops().get(0);
    assertEquals(sessionId + ".anthropic-sonnet.0", loop.loopId());
    assertEquals("Completed", loop.status());
    assertFalse(loop.eventSeqs().isEmpty());
    assertTrue(session.usage().totalTokens() > 0);

    Loop alone = client.loop(sessionId, loop.loopId());
    assertEquals(loop.turns().size(), alone.turns().size());
    LoopPartPage turns = client.loopPart(sessionId, loop.loopId(), LoopPart.TURNS, 0, 1);
    assertEquals(1, turns.items().size());
    assertEquals(loop.turns().size() > 1 ? Integer.valueOf(1) : null, turns.nextAfter());

    List<SessionSummary> listed = Eventually.await("the list's index", Duration.ofSeconds(30),
        () -> client.listAll(ListOptions.all().agentId("agent-7").limit(1)).toList(),
        l -> l.stream().anyMatch(s -> s.sessionId().equals(sessionId)));
    SessionSummary summary = listed.stream().filter(s -> s.sessionId().equals(sessionId)).findFirst().orElseThrow();
    assertEquals(1, summary.loopCount());
    assertTrue(client.list(ListOptions.all().activeSince(Instant.now().plusSeconds(3600))).sessions().isEmpty());
  }

  @Test
  void forkIsIdempotentAndRefusesAnotherSource() {
    client.append("s-src", numbered("Step", 1, 5));
    ForkResult fork = client.fork("s-src", "s-fork", 3);
    assertEquals(new ForkedFrom("s-src", 3), fork.forkedFrom());
    assertEquals(3, fork.headSeq());
    assertEquals(fork, client.fork("s-src", "s-fork", 3), "the same fork again answers the same");
    assertThrows(SessionExistsException.class, () -> client.fork("s-src", "s-fork", 4));
    assertEquals(List.of("e-1", "e-2", "e-3"),
        client.readAll("s-fork", ReadOptions.fromStart()).map(EventRecord::eventId).toList());
    assertTrue(client.append("s-fork", numbered("Step", 3, 3)).duplicate(), "an inherited id is the fork's own");
    List<SessionSummary> forks = Eventually.await("the forks list", Duration.ofSeconds(30),
        () -> client.list(ListOptions.all().forkedFrom("s-src")).sessions(), l -> !l.isEmpty());
    assertEquals("s-fork", forks.get(0).sessionId());
  }

  @Test
  void eraseHidesTheSessionAtOnceAndRefusesAppends() {
    client.append("s-erase", numbered("Step", 1, 2));
    EraseResult erased = client.erase("s-erase");
    assertEquals("erasing", erased.status());
    assertThrows(SessionNotFoundException.class, () -> client.read("s-erase", ReadOptions.fromStart()));
    assertThrows(SessionErasingException.class, () -> client.append("s-erase", numbered("Step", 3, 3)));
    assertThrows(SessionNotFoundException.class, () -> client.erase("s-never-made"));
  }

  @Test
  void verifyTheChainAndAReceipt() {
    AppendResult first = client.append("s-verify", numbered("Step", 1, 3));
    client.append("s-verify", numbered("Step", 4, 6));
    VerifyResult whole = client.verify("s-verify");
    assertTrue(whole.ok());
    assertEquals(6, whole.throughSeq());
    VerifyResult withReceipt = client.verify("s-verify", first.receipt());
    assertTrue(withReceipt.ok());
    assertEquals(Boolean.TRUE, withReceipt.receiptOk());
    Receipt forged = new Receipt("s-verify", 3, "0".repeat(64));
    VerifyResult refused = client.verify("s-verify", forged);
    assertFalse(refused.ok(), "a receipt the chain does not match is not ok");
    assertEquals(3L, refused.firstBadSeq());
    VerifyResult range = client.verify("s-verify", VerifyOptions.wholeSession().fromSeq(2).throughSeq(4));
    assertEquals(2, range.fromSeq());
    assertEquals(4, range.throughSeq());
  }

  @Test
  void followTicketsNameTheFollowApiAndTheirSession() {
    FollowTicket session = client.followSession("s-followed");
    assertEquals("s-followed", session.sessionId());
    assertTrue(session.url().getScheme().startsWith("ws") && session.url().getRawQuery().startsWith("ticket="), session.url().toString());
    assertTrue(session.expiresAt().isAfter(java.time.Instant.now()));
    FollowTicket list = client.followSessions();
    assertEquals(null, list.sessionId());
    assertTrue(!list.url().equals(session.url()), "each ticket is its own");
  }

  @Test
  void invalidArgumentsAreRefusedNamingThem() {
    IllegalArgumentException badId = assertThrows(IllegalArgumentException.class,
        () -> client.append("bad id", numbered("Step", 1, 1)));
    assertTrue(badId.getMessage().contains("sessionId"), badId.getMessage());
    IllegalArgumentException noType = assertThrows(IllegalArgumentException.class, () -> NewEvent.of(Map.of("n", 1)));
    assertTrue(noType.getMessage().contains("event.type"), noType.getMessage());
    IllegalArgumentException limit = assertThrows(IllegalArgumentException.class, () -> ReadOptions.fromStart().limit(0));
    assertTrue(limit.getMessage().contains("limit"), limit.getMessage());
    assertThrows(IllegalArgumentException.class, () -> client.append("s-x", List.of()));
    // the server's own refusal: an event naming another session
    InvalidRequestException server = assertThrows(InvalidRequestException.class,
        () -> client.append("s-mine", NewEvent.of(Map.of("type", "AgentStart", "session_id", "s-other", "agent_id", "a", "loop_id", "s-other.m.0"))));
    assertEquals("invalid_request", server.code());
  }
}
