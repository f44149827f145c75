package dev.sessionlog.adk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.adk.events.Event;
import com.google.adk.runner.Runner;
import com.google.adk.sessions.BaseSessionService;
import com.google.adk.sessions.GetSessionConfig;
import com.google.adk.sessions.ListEventsResponse;
import com.google.adk.sessions.ListSessionsResponse;
import com.google.adk.sessions.Session;
import dev.sessionlog.bench.TurnCosts;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.testing.Meter;
import dev.sessionlog.testing.Service;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The benchmark (run with -Pbench, not by verify): what a turn of an ADK Runner (a tool call and
 * state changes every turn) costs on SessionlogSessionService, at turn 1 and turn 30. ADK's Runner
 * asks getSession for the whole session (no GetSessionConfig) to build the model's history, so its
 * reads grow with the session; getSession with numRecentEvents is measured after the loop.
 */
@ExtendWith(Service.class)
class AdkBench {
  @Test
  void bytesAppendedAndEventsReadPerTurn() {
    Meter meter = new Meter();
    TurnCosts costs = new TurnCosts("Google ADK: Runner + LlmAgent, a tool call and state deltas (session, user:, app:, temp:) every turn",
        "BaseSessionService.getSession", meter);
    String sessionId = "bench-adk";
    String tenant = Service.freshTenant("bench-adk");
    try (SessionlogClient client = Service.client(tenant, meter); SessionlogClient reader = Service.client(tenant)) {
      SessionlogSessionService service = new SessionlogSessionService(client);
      Runner runner = AdkSessionServiceTest.runner(new Measured(service, costs), new ScriptedLlm());
      service.createSession(AdkSessionServiceTest.APP, "ada", Map.of(), sessionId).blockingGet();
      for (int turn = 1; turn <= 30; turn++) {
        costs.startTurn();
        assertTrue(AdkSessionServiceTest.run(runner, "ada", sessionId, turn).startsWith("turn " + turn + ":"));
        Meter cold = new Meter();
        try (SessionlogClient coldClient = Service.client(tenant, cold)) {
          Session fresh = new SessionlogSessionService(coldClient).getSession(AdkSessionServiceTest.APP, "ada", sessionId, Optional.empty())
              .blockingGet();
          assertEquals(turn * 4, fresh.events().size(), "the user's message, the call, its result and the answer, each turn");
        }
        costs.endTurn(turn, cold.now().eventsRead(),
            reader.readAll(service.sessionlogSessionId(sessionId), ReadOptions.fromStart().limit(1000)).count());
      }
      costs.report(1, 2, 29, 30);

      Meter.Reading before = meter.now();
      Session recent = service.getSession(AdkSessionServiceTest.APP, "ada", sessionId,
          Optional.of(GetSessionConfig.builder().numRecentEvents(10).build())).blockingGet();
      long read = meter.now().minus(before).eventsRead();
      String line = String.format("getSession(numRecentEvents=10) after turn 30: %d events read (%d in the session, state included)%n",
          read, costs.turn(30).sessionEvents());
      System.out.print(line);
      assertEquals(10, recent.events().size());
      assertTrue(read < costs.turn(30).sessionEvents(), line);
    }
    TurnCosts.Turn last = costs.turn(30);
    assertTrue(last.appendBytes() < 3 * costs.turn(2).appendBytes() + 4096, "appends do not grow with the session: " + last);
  }

  /** The service as the Runner sees it, its getSession calls counted. */
  private static final class Measured implements BaseSessionService {
    private final SessionlogSessionService service;
    private final TurnCosts costs;

    Measured(SessionlogSessionService service, TurnCosts costs) {
      this.service = service;
      this.costs = costs;
    }

    @Override
    public Single<Session> createSession(String appName, String userId, ConcurrentMap<String, Object> state, String sessionId) {
      return service.createSession(appName, userId, state, sessionId);
    }

    @Override
    public Maybe<Session> getSession(String appName, String userId, String sessionId, Optional<GetSessionConfig> config) {
      Session session = costs.read(() -> service.getSession(appName, userId, sessionId, config).blockingGet());
      return session == null ? Maybe.empty() : Maybe.just(session);
    }

    @Override
    public Single<ListSessionsResponse> listSessions(String appName, String userId) {
      return service.listSessions(appName, userId);
    }

    @Override
    public Completable deleteSession(String appName, String userId, String sessionId) {
      return service.deleteSession(appName, userId, sessionId);
    }

    @Override
    public Single<ListEventsResponse> listEvents(String appName, String userId, String sessionId) {
      return service.listEvents(appName, userId, sessionId);
    }

    @Override
    public Single<Event> appendEvent(Session session, Event event) {
      return service.appendEvent(session, event);
    }
  }
}
