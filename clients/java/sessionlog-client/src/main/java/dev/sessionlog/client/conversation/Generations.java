package dev.sessionlog.client.conversation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.Head;
import dev.sessionlog.client.NewEvent;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.errors.PartialDuplicateException;
import dev.sessionlog.client.errors.SessionErasedException;
import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.client.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A conversation's generations. An erased session's id is never used again, so clearing a
 * conversation moves it to a new session: first the pointer session gets
 * {@code {"type":"sessionlog.Generation","generation":n+1}} (event id {@code g<n+1>}, so a retry is
 * a duplicate), then generation n's session is DELETEd. The current generation is the pointer's
 * last event (no pointer: generation 1), cached per adapter object.
 */
public final class Generations {
  public static final String START_TYPE = "sessionlog.ConversationStart";
  public static final String GENERATION_TYPE = "sessionlog.Generation";

  private final SessionlogClient client;
  private final String adapter;
  private final ConcurrentMap<String, Integer> current = new ConcurrentHashMap<>();

  public Generations(SessionlogClient client, String adapter) {
    this.client = client;
    this.adapter = adapter;
  }

  public SessionlogClient client() {
    return client;
  }

  public String adapter() {
    return adapter;
  }

  /** The conversation's current generation (read once, then cached). */
  public int current(String conversationId) {
    Integer known = current.get(conversationId);
    return known != null ? known : refresh(conversationId);
  }

  /** The session of the conversation's current generation. */
  public String sessionId(String conversationId) {
    return ConversationIds.generation(conversationId, current(conversationId));
  }

  /** Reads the generation again from the pointer session. */
  public int refresh(String conversationId) {
    int generation = readPointer(conversationId);
    current.put(conversationId, generation);
    return generation;
  }

  private int readPointer(String conversationId) {
    String pointer = ConversationIds.pointer(conversationId);
    try {
      Head head = client.head(pointer);
      if (GENERATION_TYPE.equals(head.event().type())) {
        return head.event().event().path("generation").asInt(1);
      }
      // not the usual last event: the newest Generation event decides
      return client.readAll(pointer, ReadOptions.newestFirst().types(GENERATION_TYPE).limit(100))
          .findFirst().map(e -> e.event().path("generation").asInt(1)).orElse(1);
    } catch (SessionNotFoundException e) {
      return 1;
    }
  }

  /**
   * Clears the conversation: the pointer moves to the next generation, then the current
   * generation's session is erased (the DELETE; its id answers 404 at once). Returns the generation
   * that was cleared. The adapter goes on in the new generation at once.
   */
  public int clear(String conversationId) {
    int cleared = refresh(conversationId);
    advance(conversationId, cleared);
    try {
      client.erase(ConversationIds.generation(conversationId, cleared));
    } catch (SessionNotFoundException | SessionErasedException alreadyGone) {
      // never written, or erased already: nothing to erase
    }
    return cleared;
  }

  /**
   * Called when a write finds generation {@code stale} being erased or erased: the pointer may have
   * moved (another adapter cleared it); if not, the session was erased from outside (a DELETE by
   * hand), and the conversation goes on in the next generation all the same.
   */
  public int recover(String conversationId, int stale) {
    int now = refresh(conversationId);
    if (now != stale) {
      return now;
    }
    advance(conversationId, stale);
    return current(conversationId);
  }

  /** Appends generation {@code from + 1} to the pointer session (idempotent: event id g<n+1>). */
  private void advance(String conversationId, int from) {
    int next = from + 1;
    String pointer = ConversationIds.pointer(conversationId);
    ObjectNode generation = Json.MAPPER.createObjectNode().put("type", GENERATION_TYPE).put("generation", next);
    List<NewEvent> events = new ArrayList<>();
    if (from == 1) {
      events.add(NewEvent.of("start", startEvent(conversationId, next, Map.of("session_role", "generation pointer"))));
    }
    events.add(NewEvent.of("g" + next, generation));
    try {
      client.append(pointer, events);
    } catch (PartialDuplicateException e) {
      List<NewEvent> fresh = events.stream().filter(ev -> !e.storedEventIds().contains(ev.eventId())).toList();
      client.append(pointer, fresh);
    }
    current.put(conversationId, next);
  }

  /** The first event of every session an adapter makes: the original id, the generation, the adapter. */
  public ObjectNode startEvent(String conversationId, int generation, Map<String, ?> extra) {
    ObjectNode start = Json.MAPPER.createObjectNode()
        .put("type", START_TYPE)
        .put("conversation_id", conversationId)
        .put("generation", generation)
        .put("adapter", adapter);
    extra.forEach((key, value) -> start.set(key, Json.EVENTS.valueToTree(value)));
    return start;
  }

  /** The conversation id a ConversationStart record names. */
  public static String conversationIdOf(EventRecord start) {
    return start.event().path("conversation_id").asText(null);
  }
}
