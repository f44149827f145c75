package dev.sessionlog.adk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.adk.events.Event;
import com.google.adk.events.EventActions;
import com.google.adk.sessions.BaseSessionService;
import com.google.adk.sessions.GetSessionConfig;
import com.google.adk.sessions.ListEventsResponse;
import com.google.adk.sessions.ListSessionsResponse;
import com.google.adk.sessions.Session;
import com.google.adk.sessions.SessionException;
import com.google.adk.sessions.State;
import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.EventsPage;
import dev.sessionlog.client.NewEvent;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.conversation.ConversationIds;
import dev.sessionlog.client.conversation.ConversationRegistry;
import dev.sessionlog.client.conversation.Generations;
import dev.sessionlog.client.errors.SeqConflictException;
import dev.sessionlog.client.errors.SessionErasedException;
import dev.sessionlog.client.errors.SessionErasingException;
import dev.sessionlog.client.errors.SessionNotFoundException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * sessionlog as Google ADK's {@link BaseSessionService} (google-adk 1.8.0). An ADK session is the
 * sessionlog session named by its id (mapped reversibly when it is not a valid session id), whose
 * first event ({@code sessionlog.ConversationStart}) keeps its app, user and initial state; each ADK
 * event is an {@code adk.Event} appended with the ADK event's own id, so a retried appendEvent is a
 * duplicate. State: the session's own keys fold from the events' deltas (with a
 * {@code sessionlog.StateSnapshot} every {@value #SNAPSHOT_EVERY} events, so that a read goes back no
 * further); {@code app:} and {@code user:} keys live in sessions of their own, shared by the app's
 * or the user's sessions; {@code temp:} keys are never stored; {@code State.REMOVED} removes.
 * {@code listSessions} reads a registry session per app and user (read-your-writes);
 * {@code deleteSession} erases the session, and the same id can be created again at once.
 */
public final class SessionlogSessionService implements BaseSessionService {
  public static final String ADAPTER = "adk";
  public static final String EVENT_TYPE = "adk.Event";
  static final int SNAPSHOT_EVERY = 20;

  private record Owner(String appName, String userId) {}

  /** A session as read: its events (ascending), its own state, and how many events since the last snapshot. */
  private record Loaded(List<EventRecord> events, Map<String, Object> state, int sinceSnapshot, long headSeq, Owner owner,
      Instant createdAt) {}

  private final SessionlogClient client;
  private final Generations generations;
  private final SharedState shared;
  private final ConcurrentMap<String, Owner> owners = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Integer> sinceSnapshot = new ConcurrentHashMap<>();

  public SessionlogSessionService(SessionlogClient client) {
    this.client = Objects.requireNonNull(client, "client must not be null");
    this.generations = new Generations(client, ADAPTER);
    this.shared = new SharedState(client);
  }

  // ---- sessions of the state scopes and the registry ----

  static String appStateSession(String appName) {
    return ConversationIds.derived(ConversationIds.RESERVED_PREFIX + "a.", "adk." + b32(appName));
  }

  static String userStateSession(String appName, String userId) {
    return ConversationIds.derived(ConversationIds.RESERVED_PREFIX + "u.", "adk." + b32(appName) + "." + b32(userId));
  }

  private ConversationRegistry registry(String appName, String userId) {
    return new ConversationRegistry(client, ConversationRegistry.sessionIdFor(ADAPTER, appName, userId));
  }

  private static String b32(String text) {
    return ConversationIds.base32(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The sessionlog session that holds the ADK session now (its current generation). */
  public String sessionlogSessionId(String sessionId) {
    return generations.sessionId(sessionId);
  }

  // ---- BaseSessionService ----

  @Override
  public Single<Session> createSession(String appName, String userId, ConcurrentMap<String, Object> state, String sessionId) {
    return createSession(appName, userId, (Map<String, Object>) state, sessionId);
  }

  @Override
  public Single<Session> createSession(String appName, String userId, Map<String, Object> state, String sessionId) {
    return Single.fromCallable(() -> create(appName, userId, state, sessionId));
  }

  private Session create(String appName, String userId, Map<String, Object> initial, String requestedId) {
    requireText(appName, "appName");
    requireText(userId, "userId");
    String id = requestedId == null || requestedId.isBlank() ? UUID.randomUUID().toString() : requestedId.trim();
    Map<String, Object> state = initial == null ? Map.of() : initial;
    Map<String, JsonNode> appDelta = new LinkedHashMap<>();
    Map<String, JsonNode> userDelta = new LinkedHashMap<>();
    ObjectNode sessionState = StateFold.JSON.createObjectNode();
    split(StateFold.JSON.valueToTree(state), appDelta, userDelta, sessionState);

    for (int attempt = 0; attempt < 3; attempt++) {
      int generation = generations.current(id);
      String sid = ConversationIds.generation(id, generation);
      ObjectNode start = generations.startEvent(id, generation, Map.of("app_name", appName, "user_id", userId));
      start.set("state", sessionState);
      try {
        // a client-made id: creating an existing session is a seq conflict, never taken for a retry
        client.append(sid, List.of(NewEvent.of(start)), 0);
      } catch (SeqConflictException exists) {
        Owner owner = owner(sid);
        checkOwner(owner, appName, userId, id);
        throw new SessionException("session \"" + id + "\" already exists for app \"" + appName + "\" and user \"" + userId + "\"");
      } catch (SessionErasingException | SessionErasedException erased) {
        generations.recover(id, generation);
        continue;
      }
      owners.put(sid, new Owner(appName, userId));
      sinceSnapshot.put(sid, 0);
      registry(appName, userId).created(id, generation, Map.of("app_name", appName, "user_id", userId));
      String origin = ConversationIds.derived("c" + generation + ".", ConversationIds.base(id));
      if (!appDelta.isEmpty()) {
        shared.append(appStateSession(appName), origin, appDelta, Map.of("source_session", id));
      }
      if (!userDelta.isEmpty()) {
        shared.append(userStateSession(appName, userId), origin, userDelta, Map.of("source_session", id));
      }
      Map<String, Object> merged = StateFold.fromJson(sessionState);
      mergeShared(merged, appName, userId);
      return Session.builder(id).appName(appName).userId(userId).state(new ConcurrentHashMap<>(merged))
          .lastUpdateTime(Instant.now()).build();
    }
    throw new SessionException("session \"" + id + "\" kept being erased while it was created");
  }

  @Override
  public Maybe<Session> getSession(String appName, String userId, String sessionId, Optional<GetSessionConfig> config) {
    return Maybe.fromCallable(() -> get(appName, userId, sessionId, config == null ? Optional.empty() : config));
  }

  private Session get(String appName, String userId, String sessionId, Optional<GetSessionConfig> config) {
    requireText(appName, "appName");
    requireText(userId, "userId");
    requireText(sessionId, "sessionId");
    Loaded loaded = load(sessionId, config.orElse(null));
    if (loaded == null) {
      return null;
    }
    checkOwner(loaded.owner(), appName, userId, sessionId);
    List<Event> events = new ArrayList<>();
    for (EventRecord record : loaded.events()) {
      events.add(toAdkEvent(record));
    }
    GetSessionConfig filter = config.orElse(null);
    if (filter != null && filter.numRecentEvents().isPresent()) {
      int n = filter.numRecentEvents().get();
      if (n < events.size()) {
        events = new ArrayList<>(events.subList(events.size() - n, events.size()));
      }
    }
    if (filter != null && filter.afterTimestamp().isPresent()) {
      Instant threshold = filter.afterTimestamp().get();
      events.removeIf(event -> Instant.ofEpochMilli(event.timestamp()).isBefore(threshold));
    }
    Map<String, Object> state = new LinkedHashMap<>(loaded.state());
    mergeShared(state, appName, userId);
    Instant lastUpdate = events.isEmpty() ? loaded.createdAt() : Instant.ofEpochMilli(events.get(events.size() - 1).timestamp());
    return Session.builder(sessionId).appName(appName).userId(userId).state(new ConcurrentHashMap<>(state))
        .events(events).lastUpdateTime(lastUpdate).build();
  }

  /**
   * Reads the session newest first until it has the events the config asks for and the state's
   * base (the last snapshot, or the start event): a bounded read unless all events are asked for.
   * Null when the session does not exist (in its current generation).
   */
  private Loaded load(String sessionId, GetSessionConfig config) {
    for (int attempt = 0; attempt < 3; attempt++) {
      int generation = generations.current(sessionId);
      String sid = ConversationIds.generation(sessionId, generation);
      try {
        return loadFrom(sid, config);
      } catch (SessionNotFoundException missing) {
        if (generations.refresh(sessionId) == generation) {
          return null;
        }
      }
    }
    return null;
  }

  private Loaded loadFrom(String sid, GetSessionConfig config) {
    int wanted = config != null && config.numRecentEvents().isPresent() ? config.numRecentEvents().get() : -1;
    Instant after = config != null && config.afterTimestamp().isPresent() ? config.afterTimestamp().get() : null;
    boolean wantAll = wanted < 0 && after == null;
    List<EventRecord> newestFirst = new ArrayList<>();
    Map<String, Object> base = null;
    long baseSeq = 0;
    long head = 0;
    EventRecord start = null;
    int adkEvents = 0;
    boolean eventsDone = !wantAll && wanted == 0 && after == null;
    Long before = null;
    int limit = (int) Math.min(1000, Math.max(50, (wanted < 0 ? 0 : wanted) + SNAPSHOT_EVERY + 2));
    read:
    while (true) {
      ReadOptions options = ReadOptions.newestFirst().limit(limit);
      if (before != null) {
        options.beforeSeq(before);
      }
      EventsPage page = client.read(sid, options);
      head = Math.max(head, page.headSeq());
      for (EventRecord record : page.events()) {
        String type = record.type();
        if (Generations.START_TYPE.equals(type)) {
          start = record;
          if (base == null) {
            base = StateFold.fromJson(record.event().get("state"));
            baseSeq = record.seq();
          }
          break read;
        }
        if (SharedState.SNAPSHOT_TYPE.equals(type)) {
          if (base == null) {
            base = StateFold.fromJson(record.event().get("state"));
            baseSeq = record.seq();
          }
        } else if (EVENT_TYPE.equals(type)) {
          if (!eventsDone || base == null) {
            newestFirst.add(record);
          }
          if (!eventsDone) {
            adkEvents++;
            long timestamp = record.event().path("event").path("timestamp").asLong();
            if ((wanted >= 0 && adkEvents >= wanted && after == null)
                || (after != null && Instant.ofEpochMilli(timestamp).isBefore(after) && (wanted < 0 || adkEvents >= wanted))) {
              eventsDone = true;
            }
          }
        }
        if (eventsDone && base != null) {
          break read;
        }
      }
      if (page.nextBeforeSeq() == null) {
        break;
      }
      before = page.nextBeforeSeq();
    }
    Collections.reverse(newestFirst);
    Map<String, Object> state = base == null ? new LinkedHashMap<>() : base;
    int since = 0;
    List<EventRecord> adk = new ArrayList<>();
    for (EventRecord record : newestFirst) {
      if (record.seq() > baseSeq) {
        StateFold.apply(state, record.event().path("event").path("actions").path("stateDelta"), StateFold.Scope.SESSION);
        since++;
      }
      adk.add(record);
    }
    Owner owner = start != null ? ownerOf(sid, start) : owner(sid);
    Instant createdAt = start != null ? start.recordedAt() : Instant.EPOCH;
    return new Loaded(adk, state, since, head, owner, createdAt);
  }

  @Override
  public Single<ListSessionsResponse> listSessions(String appName, String userId) {
    return Single.fromCallable(() -> {
      requireText(appName, "appName");
      requireText(userId, "userId");
      List<Session> sessions = new ArrayList<>();
      for (ConversationRegistry.Entry entry : registry(appName, userId).list()) {
        sessions.add(Session.builder(entry.conversationId()).appName(appName).userId(userId)
            .lastUpdateTime(entry.createdAt()).build());
      }
      return ListSessionsResponse.builder().sessions(sessions).build();
    });
  }

  @Override
  public Completable deleteSession(String appName, String userId, String sessionId) {
    return Completable.fromAction(() -> {
      requireText(appName, "appName");
      requireText(userId, "userId");
      requireText(sessionId, "sessionId");
      String sid = ConversationIds.generation(sessionId, generations.refresh(sessionId));
      try {
        checkOwner(owner(sid), appName, userId, sessionId);
      } catch (SessionNotFoundException absent) {
        return; // nothing to delete
      }
      int cleared = generations.clear(sessionId);
      registry(appName, userId).deleted(sessionId, cleared);
      owners.remove(sid);
      sinceSnapshot.remove(sid);
    });
  }

  @Override
  public Single<ListEventsResponse> listEvents(String appName, String userId, String sessionId) {
    return Single.fromCallable(() -> {
      String sid = checkedSession(appName, userId, sessionId);
      if (sid == null) {
        return ListEventsResponse.builder().build();
      }
      List<Event> events = new ArrayList<>();
      client.readAll(sid, ReadOptions.fromStart().types(EVENT_TYPE).limit(1000)).forEach(r -> events.add(toAdkEvent(r)));
      return ListEventsResponse.builder().events(events).build();
    });
  }

  /**
   * One page of the session's events: {@code pageToken} is the previous page's
   * {@code nextPageToken} (null for the first page); {@code nextPageToken} is absent at the end.
   */
  public Single<ListEventsResponse> listEvents(String appName, String userId, String sessionId, String pageToken, int pageSize) {
    if (pageSize < 1 || pageSize > 1000) {
      throw new IllegalArgumentException("pageSize must be from 1 to 1000, was " + pageSize);
    }
    return Single.fromCallable(() -> {
      String sid = checkedSession(appName, userId, sessionId);
      if (sid == null) {
        return ListEventsResponse.builder().build();
      }
      long after;
      try {
        after = pageToken == null ? 0 : Long.parseLong(pageToken);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("pageToken is not one this service gave: " + pageToken);
      }
      List<Event> events = new ArrayList<>();
      Long next = after;
      // a filtered page may hold no ADK event while the session goes on: read until one comes or the end
      while (events.isEmpty() && next != null) {
        EventsPage page = client.read(sid, ReadOptions.after(next).types(EVENT_TYPE).limit(pageSize));
        page.events().forEach(r -> events.add(toAdkEvent(r)));
        next = page.nextAfterSeq();
      }
      ListEventsResponse.Builder response = ListEventsResponse.builder().events(events);
      if (next != null) {
        response.nextPageToken(Long.toString(next));
      }
      return response.build();
    });
  }

  @Override
  public Single<Event> appendEvent(Session session, Event event) {
    return Single.fromCallable(() -> append(session, event));
  }

  private Event append(Session session, Event event) {
    Objects.requireNonNull(session, "session must not be null");
    Objects.requireNonNull(event, "event must not be null");
    if (event.partial().orElse(false)) {
      return event; // partial events are streamed, never stored (as ADK's own services do)
    }
    requireText(session.appName(), "session.appName");
    requireText(session.userId(), "session.userId");
    String id = session.id();
    String sid = ConversationIds.generation(id, generations.current(id));
    checkOwner(owner(sid), session.appName(), session.userId(), id);

    ObjectNode stored = eventJson(event);
    Map<String, JsonNode> appDelta = new LinkedHashMap<>();
    Map<String, JsonNode> userDelta = new LinkedHashMap<>();
    JsonNode delta = stored.path("actions").path("stateDelta");
    if (delta.isObject()) {
      split(delta, appDelta, userDelta, StateFold.JSON.createObjectNode());
      // temp: keys live for one invocation and are never stored (BaseSessionService's contract)
      ((ObjectNode) delta).remove(tempKeys(delta));
    }
    String eventId = ConversationIds.eventId(event.id());
    Map<String, Object> origin = Map.of("source_session", id, "source_event", event.id());
    if (!appDelta.isEmpty()) {
      shared.append(appStateSession(session.appName()), ConversationIds.derived("e.", eventId), appDelta, origin);
    }
    if (!userDelta.isEmpty()) {
      shared.append(userStateSession(session.appName(), session.userId()), ConversationIds.derived("e.", eventId), userDelta, origin);
    }
    ObjectNode record = StateFold.JSON.createObjectNode().put("type", EVENT_TYPE);
    record.set("event", stored);
    try {
      client.append(sid, NewEvent.of(eventId, record));
    } catch (SessionErasingException | SessionErasedException erased) {
      throw new SessionException("session \"" + id + "\" was deleted: create it again to go on", erased);
    }
    snapshotIfDue(sid);
    applyToSessionObject(session, event);
    return event;
  }

  /** Every {@value #SNAPSHOT_EVERY} events, the session's own state as a snapshot (reads stop there). */
  private void snapshotIfDue(String sid) {
    Integer count = sinceSnapshot.computeIfPresent(sid, (key, n) -> n + 1);
    Loaded loaded = null;
    if (count == null) {
      loaded = loadFrom(sid, GetSessionConfig.builder().numRecentEvents(0).build());
      count = loaded.sinceSnapshot();
      sinceSnapshot.put(sid, count);
    }
    if (count < SNAPSHOT_EVERY) {
      return;
    }
    if (loaded == null) {
      loaded = loadFrom(sid, GetSessionConfig.builder().numRecentEvents(0).build());
    }
    ObjectNode snapshot = StateFold.JSON.createObjectNode().put("type", SharedState.SNAPSHOT_TYPE).put("through_seq", loaded.headSeq());
    snapshot.set("state", StateFold.JSON.valueToTree(loaded.state()));
    try {
      client.append(sid, List.of(NewEvent.of(snapshot)), loaded.headSeq());
      sinceSnapshot.put(sid, 0);
    } catch (SeqConflictException concurrent) {
      sinceSnapshot.remove(sid); // another writer: count again at the next append
    }
  }

  /** What BaseSessionService's default appendEvent does to the caller's session object, once per event id. */
  private static void applyToSessionObject(Session session, Event event) {
    if (session.events().stream().anyMatch(existing -> Objects.equals(existing.id(), event.id()))) {
      return; // a retried appendEvent: the object has it already
    }
    EventActions actions = event.actions();
    if (actions != null && actions.stateDelta() != null) {
      actions.stateDelta().forEach((key, value) -> {
        if (key.startsWith(State.TEMP_PREFIX)) {
          return;
        }
        if (value == State.REMOVED) {
          session.state().remove(key);
        } else {
          session.state().put(key, value);
        }
      });
    }
    session.events().add(event);
    session.lastUpdateTime(Instant.ofEpochMilli(event.timestamp()));
  }

  // ---- helpers ----

  private static ObjectNode eventJson(Event event) {
    try {
      return (ObjectNode) StateFold.JSON.readTree(event.toJson());
    } catch (JsonProcessingException e) {
      throw new SessionException("ADK's mapper wrote no JSON for event " + event.id(), e);
    }
  }

  private static List<String> tempKeys(JsonNode delta) {
    List<String> keys = new ArrayList<>();
    delta.fieldNames().forEachRemaining(key -> {
      if (key.startsWith(State.TEMP_PREFIX)) {
        keys.add(key);
      }
    });
    return keys;
  }

  /** Splits a delta by scope: app: and user: keys without their prefix, the session's own as they are; temp: dropped. */
  private static void split(JsonNode delta, Map<String, JsonNode> app, Map<String, JsonNode> user, ObjectNode own) {
    Iterator<Map.Entry<String, JsonNode>> fields = delta.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      StateFold.Scope scope = StateFold.Scope.of(field.getKey());
      if (scope == StateFold.Scope.APP) {
        app.put(field.getKey().substring(State.APP_PREFIX.length()), field.getValue());
      } else if (scope == StateFold.Scope.USER) {
        user.put(field.getKey().substring(State.USER_PREFIX.length()), field.getValue());
      } else if (scope == StateFold.Scope.SESSION) {
        own.set(field.getKey(), field.getValue());
      }
    }
  }

  private void mergeShared(Map<String, Object> state, String appName, String userId) {
    shared.read(appStateSession(appName)).forEach((key, value) -> state.put(State.APP_PREFIX + key, value));
    shared.read(userStateSession(appName, userId)).forEach((key, value) -> state.put(State.USER_PREFIX + key, value));
  }

  static Event toAdkEvent(EventRecord record) {
    Event event = Event.fromJson(record.event().get("event").toString());
    EventActions actions = event.actions();
    if (actions != null && actions.stateDelta() != null) {
      actions.stateDelta().replaceAll((key, value) -> StateFold.REMOVED_JSON.equals(value) ? State.REMOVED : value);
    }
    return event;
  }

  /** The sessionlog session of an existing ADK session of this app and user; null when there is none. */
  private String checkedSession(String appName, String userId, String sessionId) {
    requireText(appName, "appName");
    requireText(userId, "userId");
    requireText(sessionId, "sessionId");
    String sid = ConversationIds.generation(sessionId, generations.current(sessionId));
    try {
      checkOwner(owner(sid), appName, userId, sessionId);
      return sid;
    } catch (SessionNotFoundException absent) {
      return null;
    }
  }

  /** The app and user a session was created for: its first event says (read once, then cached). */
  private Owner owner(String sid) {
    Owner known = owners.get(sid);
    if (known != null) {
      return known;
    }
    EventsPage first = client.read(sid, ReadOptions.fromStart().limit(1));
    if (first.events().isEmpty()) {
      throw new SessionNotFoundException(404, "session_not_found", "no session \"" + sid + "\"", null, null);
    }
    return ownerOf(sid, first.events().get(0));
  }

  private Owner ownerOf(String sid, EventRecord start) {
    if (!Generations.START_TYPE.equals(start.type()) || !ADAPTER.equals(start.event().path("adapter").asText())) {
      throw new SessionException("session \"" + sid + "\" holds events that ADK's session service did not write: it cannot be used as an ADK session");
    }
    Owner owner = new Owner(start.event().path("app_name").asText(), start.event().path("user_id").asText());
    owners.put(sid, owner);
    return owner;
  }

  private static void checkOwner(Owner owner, String appName, String userId, String sessionId) {
    if (!owner.appName().equals(appName) || !owner.userId().equals(userId)) {
      throw new SessionException("session \"" + sessionId + "\" belongs to app \"" + owner.appName() + "\" and user \""
          + owner.userId() + "\"; it cannot be used as app \"" + appName + "\" and user \"" + userId + "\"");
    }
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " must be a non-empty string");
    }
  }
}
