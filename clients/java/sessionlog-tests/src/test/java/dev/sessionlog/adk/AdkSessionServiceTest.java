package dev.sessionlog.adk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.adk.agents.LlmAgent;
import com.google.adk.agents.RunConfig;
import com.google.adk.events.Event;
import com.google.adk.events.EventActions;
import com.google.adk.runner.Runner;
import com.google.adk.sessions.BaseSessionService;
import com.google.adk.sessions.GetSessionConfig;
import com.google.adk.sessions.InMemorySessionService;
import com.google.adk.sessions.ListEventsResponse;
import com.google.adk.sessions.Session;
import com.google.adk.sessions.SessionException;
import com.google.adk.sessions.State;
import com.google.adk.tools.FunctionTool;
import com.google.genai.types.Content;
import com.google.genai.types.Part;
import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.conversation.Generations;
import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.testing.Service;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ADK's own loop (a Runner over an LlmAgent with tools that change state in every scope) on
 * sessionlog, compared with ADK's InMemorySessionService, and continued by a fresh service and Runner.
 */
@ExtendWith(Service.class)
class AdkSessionServiceTest {
  static final String APP = "notes-app";

  static Runner runner(BaseSessionService service, ScriptedLlm model) {
    LlmAgent agent = LlmAgent.builder()
        .name("notes")
        .model(model)
        .instruction("You remember and forget notes with your tools.")
        .tools(FunctionTool.create(NoteTools.class, "remember"), FunctionTool.create(NoteTools.class, "forget"))
        .build();
    return Runner.builder().agent(agent).appName(APP).sessionService(service).build();
  }

  /** Turn n's question: state changes in every scope, temp: ones, and removals. */
  static String question(int turn) {
    return switch (turn % 5) {
      case 1 -> "turn " + turn + ": remember user:name = Ada" + turn;
      case 2 -> "turn " + turn + ": remember app:motd = hello" + turn;
      case 3 -> "turn " + turn + ": remember note" + turn + " = n" + turn;
      case 4 -> "turn " + turn + ": remember temp:scratch = s" + turn;
      default -> "turn " + turn + ": forget note" + (turn - 2);
    };
  }

  static String run(Runner runner, String userId, String sessionId, int turn) {
    Map<String, Object> extra = turn == 1 ? Map.of("user:tier", "gold", "topic", "notes", "temp:request", "r1") : null;
    List<Event> events = runner.runAsync(userId, sessionId, Content.fromParts(Part.fromText(question(turn))),
        RunConfig.builder().build(), extra).toList().blockingGet();
    return events.get(events.size() - 1).content().flatMap(Content::parts).orElse(List.of()).stream()
        .map(part -> part.text().orElse("")).reduce("", String::concat);
  }

  /** An event's parts as text (function calls and results by name and arguments; their generated ids left out). */
  private static List<String> parts(Event event) {
    return event.content().flatMap(Content::parts).orElse(List.of()).stream()
        .map(part -> part.text().orElse("")
            + part.functionCall().map(call -> "call " + call.name().orElse("") + call.args().orElse(Map.of())).orElse("")
            + part.functionResponse().map(result -> "result " + result.name().orElse("") + result.response().orElse(Map.of())).orElse(""))
        .toList();
  }

  private static java.util.stream.Stream<String> stateKeys(com.fasterxml.jackson.databind.JsonNode delta) {
    List<String> keys = new ArrayList<>();
    delta.fieldNames().forEachRemaining(keys::add);
    return keys.stream();
  }

  private static Map<String, Object> withoutTemp(Map<String, Object> state) {
    Map<String, Object> kept = new TreeMap<>(state);
    kept.keySet().removeIf(key -> key.startsWith(State.TEMP_PREFIX));
    return kept;
  }

  @Test
  void theRunnersLoopKeepsEventsAndStateInEveryScopeAndAFreshRunnerContinues() {
    String tenant = Service.freshTenant("adk");
    String sessionId = "chat:ada/1"; // not a session id: mapped reversibly
    InMemorySessionService memory = new InMemorySessionService();
    ScriptedLlm referenceModel = new ScriptedLlm();
    Runner reference = runner(memory, referenceModel);
    memory.createSession(APP, "ada", Map.of("user:lang", "en", "mood", "calm"), sessionId).blockingGet();

    try (SessionlogClient client = Service.client(tenant)) {
      SessionlogSessionService service = new SessionlogSessionService(client);
      ScriptedLlm model = new ScriptedLlm();
      Runner runner = runner(service, model);
      service.createSession(APP, "ada", Map.of("user:lang", "en", "mood", "calm"), sessionId).blockingGet();
      assertEquals(List.of(sessionId), service.listSessions(APP, "ada").blockingGet().sessionIds(), "listed as soon as created");

      for (int turn = 1; turn <= 12; turn++) {
        assertEquals(run(reference, "ada", sessionId, turn), run(runner, "ada", sessionId, turn), "turn " + turn);
      }
      assertEquals(referenceModel.requests, model.requests, "the model saw the same history as with ADK's in-memory service");

      Session stored = service.getSession(APP, "ada", sessionId, Optional.empty()).blockingGet();
      Session expected = memory.getSession(APP, "ada", sessionId, Optional.empty()).blockingGet();
      assertEquals(withoutTemp(expected.state()), new TreeMap<>(stored.state()), "state in every scope, REMOVED folded, no temp:");
      assertEquals("Ada11", stored.state().get("user:name"));
      assertEquals("hello12", stored.state().get("app:motd"));
      assertFalse(stored.state().containsKey("note3"), "turn 5 removed it");
      assertFalse(stored.state().containsKey("note8"), "turn 10 removed it");
      assertEquals("calm", stored.state().get("mood"));
      assertEquals("notes", stored.state().get("topic"));
      assertEquals("gold", stored.state().get("user:tier"));
      assertEquals("en", stored.state().get("user:lang"));
      assertTrue(stored.state().keySet().stream().noneMatch(k -> k.startsWith("temp:")));
      assertEquals(expected.events().stream().map(Event::author).toList(), stored.events().stream().map(Event::author).toList());
      assertEquals(expected.events().stream().map(AdkSessionServiceTest::parts).toList(),
          stored.events().stream().map(AdkSessionServiceTest::parts).toList());
      assertTrue(stored.events().stream().anyMatch(e -> e.actions().stateDelta().containsValue(State.REMOVED)),
          "a stored removal comes back as State.REMOVED");

      // what the log holds: the start event, one adk.Event per ADK event (its own id), nothing of temp:
      String sessionlogId = service.sessionlogSessionId(sessionId);
      assertTrue(sessionlogId.startsWith("_sl.x."), sessionlogId);
      List<EventRecord> raw = client.readAll(sessionlogId, ReadOptions.fromStart().limit(1000)).toList();
      assertEquals(Generations.START_TYPE, raw.get(0).type());
      assertEquals(sessionId, raw.get(0).event().get("conversation_id").asText());
      assertEquals(APP, raw.get(0).event().get("app_name").asText());
      List<EventRecord> adkEvents = raw.stream().filter(r -> r.type().equals(SessionlogSessionService.EVENT_TYPE)).toList();
      assertEquals(stored.events().stream().map(Event::id).toList(), adkEvents.stream().map(EventRecord::eventId).toList());
      // (the messages say "temp:" in their text and tool arguments; no state key of any stored delta is one)
      assertTrue(adkEvents.stream().anyMatch(r -> r.event().path("event").path("actions").path("stateDelta").size() > 0));
      assertTrue(adkEvents.stream().noneMatch(r -> stateKeys(r.event().path("event").path("actions").path("stateDelta"))
          .anyMatch(key -> key.startsWith(State.TEMP_PREFIX))), "temp: keys are never stored");
      assertTrue(stateKeys(raw.get(0).event().path("state")).noneMatch(key -> key.startsWith(State.TEMP_PREFIX)));

      // a fresh service and Runner (a restart) go on where it was
      try (SessionlogClient restarted = Service.client(tenant)) {
        ScriptedLlm afterRestart = new ScriptedLlm();
        Runner fresh = runner(new SessionlogSessionService(restarted), afterRestart);
        assertEquals(run(reference, "ada", sessionId, 13), run(fresh, "ada", sessionId, 13));
        assertEquals(referenceModel.requests.subList(referenceModel.requests.size() - afterRestart.requests.size(),
            referenceModel.requests.size()), afterRestart.requests);
      }

      // app: and user: state are shared: a new session of the same user sees both, another user only app:
      Session second = service.createSession(APP, "ada", null, "second").blockingGet();
      assertEquals("Ada11", second.state().get("user:name"));
      assertEquals("hello12", second.state().get("app:motd"));
      Session other = service.createSession(APP, "bob", null, "bobs").blockingGet();
      assertEquals("hello12", other.state().get("app:motd"));
      assertNull(other.state().get("user:name"));
    }
  }

  @Test
  void recentEventsTimestampsRetriesListingDeletionAndOwnership() {
    String tenant = Service.freshTenant("adk-ops");
    try (SessionlogClient client = Service.client(tenant)) {
      SessionlogSessionService service = new SessionlogSessionService(client);
      Session session = service.createSession(APP, "ada", new ConcurrentHashMap<>(), "s1").blockingGet();
      long base = Instant.now().toEpochMilli();
      List<Event> appended = new ArrayList<>();
      for (int i = 0; i < 45; i++) {
        Event event = Event.builder().id(Event.generateEventId()).invocationId("inv-" + i).author(i % 2 == 0 ? "user" : "notes")
            .content(Content.fromParts(Part.fromText("message " + i))).timestamp(base + i * 1000L)
            .actions(EventActions.builder().stateDelta(new ConcurrentHashMap<>(Map.of("count", i))).build()).build();
        service.appendEvent(session, event).blockingGet();
        appended.add(event);
      }
      // a retried appendEvent (same event) is a duplicate: stored once, in the object once
      service.appendEvent(session, appended.get(44)).blockingGet();
      assertEquals(45, session.events().size());

      SessionlogSessionService fresh = new SessionlogSessionService(Service.client(tenant));
      Session recent = fresh.getSession(APP, "ada", "s1", Optional.of(GetSessionConfig.builder().numRecentEvents(5).build())).blockingGet();
      assertEquals(appended.subList(40, 45).stream().map(Event::id).toList(), recent.events().stream().map(Event::id).toList());
      assertEquals(44, ((Number) recent.state().get("count")).intValue(), "state folded from the last snapshot on");
      Session after = fresh.getSession(APP, "ada", "s1",
          Optional.of(GetSessionConfig.builder().afterTimestamp(Instant.ofEpochMilli(base + 42_000)).build())).blockingGet();
      assertEquals(appended.subList(42, 45).stream().map(Event::id).toList(), after.events().stream().map(Event::id).toList());
      assertEquals(45, fresh.getSession(APP, "ada", "s1", Optional.empty()).blockingGet().events().size());
      assertEquals(45, fresh.listEvents(APP, "ada", "s1").blockingGet().events().size());
      ListEventsResponse page = fresh.listEvents(APP, "ada", "s1", null, 20).blockingGet();
      assertTrue(page.nextPageToken().isPresent());
      int total = page.events().size();
      while (page.nextPageToken().isPresent()) {
        page = fresh.listEvents(APP, "ada", "s1", page.nextPageToken().get(), 20).blockingGet();
        total += page.events().size();
      }
      assertEquals(45, total, "paged, every event once");
      assertTrue(client.readAll("s1", ReadOptions.fromStart()).anyMatch(r -> r.type().equals("sessionlog.StateSnapshot")));

      // the same id under another app or user is refused, clearly
      SessionException refused = assertThrows(SessionException.class, () -> fresh.getSession("other-app", "ada", "s1", Optional.empty()).blockingGet());
      assertTrue(refused.getMessage().contains("belongs to app \"notes-app\" and user \"ada\""), refused.getMessage());
      assertThrows(SessionException.class, () -> fresh.createSession(APP, "bob", null, "s1").blockingGet());

      // deletion: erased at once, unlisted, the id usable again
      service.createSession(APP, "ada", null, "s2").blockingGet();
      assertEquals(List.of("s1", "s2"), fresh.listSessions(APP, "ada").blockingGet().sessionIds());
      fresh.deleteSession(APP, "ada", "s1").blockingAwait();
      assertThrows(SessionNotFoundException.class, () -> client.read("s1", ReadOptions.fromStart()));
      assertEquals(List.of("s2"), service.listSessions(APP, "ada").blockingGet().sessionIds());
      assertTrue(service.getSession(APP, "ada", "s1", Optional.empty()).isEmpty().blockingGet());
      Session again = service.createSession(APP, "ada", Map.of("fresh", true), "s1").blockingGet();
      assertEquals(true, again.state().get("fresh"));
      assertEquals("_sl.g2.s1", service.sessionlogSessionId("s1"));
      assertEquals(0, fresh.getSession(APP, "ada", "s1", Optional.empty()).blockingGet().events().size());
      assertEquals(List.of("s2", "s1"), fresh.listSessions(APP, "ada").blockingGet().sessionIds());
    }
  }
}
