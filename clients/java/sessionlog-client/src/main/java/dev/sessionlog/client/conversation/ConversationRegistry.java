package dev.sessionlog.client.conversation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.NewEvent;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.client.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The conversations one adapter scope holds, read-your-writes (the tenant's session list lags by a
 * second or two, and holds every other session too): a registry session with one event per
 * conversation generation created ({@code sessionlog.ConversationCreated}) and deleted
 * ({@code sessionlog.ConversationDeleted}), folded on read. Both events have ids made from the
 * conversation and generation, so a retry is a duplicate. Cost: one append per conversation
 * created or deleted; a listing reads the whole registry (pages of 1,000 events).
 */
public final class ConversationRegistry {
  public static final String CREATED_TYPE = "sessionlog.ConversationCreated";
  public static final String DELETED_TYPE = "sessionlog.ConversationDeleted";

  /** A listed conversation: its id, its generation, when it was registered, and what the adapter kept with it. */
  public record Entry(String conversationId, int generation, Instant createdAt, ObjectNode event) {}

  private final SessionlogClient client;
  private final String sessionId;

  public ConversationRegistry(SessionlogClient client, String sessionId) {
    this.client = client;
    this.sessionId = sessionId;
  }

  /** The registry session of an adapter's scope, e.g. ("spring-ai", "default") or ("adk", app, user). */
  public static String sessionIdFor(String adapter, String... scope) {
    StringBuilder name = new StringBuilder(adapter);
    for (String part : scope) {
      name.append('.').append(ConversationIds.base32(part.getBytes(StandardCharsets.UTF_8)));
    }
    return ConversationIds.derived(ConversationIds.RESERVED_PREFIX + "r.", name.toString());
  }

  public String sessionId() {
    return sessionId;
  }

  public void created(String conversationId, int generation, Map<String, ?> extra) {
    ObjectNode event = Json.MAPPER.createObjectNode()
        .put("type", CREATED_TYPE)
        .put("conversation_id", conversationId)
        .put("generation", generation)
        // not "session_id": the service refuses an event whose session_id names another session
        .put("conversation_session_id", ConversationIds.generation(conversationId, generation));
    extra.forEach((key, value) -> event.set(key, Json.EVENTS.valueToTree(value)));
    client.append(sessionId, NewEvent.of(eventId("c", conversationId, generation), event));
  }

  public void deleted(String conversationId, int generation) {
    ObjectNode event = Json.MAPPER.createObjectNode()
        .put("type", DELETED_TYPE)
        .put("conversation_id", conversationId)
        .put("generation", generation);
    client.append(sessionId, NewEvent.of(eventId("d", conversationId, generation), event));
  }

  private static String eventId(String kind, String conversationId, int generation) {
    return ConversationIds.derived(kind + generation + ".", ConversationIds.base(conversationId));
  }

  /** The conversations whose last registry event is a creation, in the order they were created. */
  public List<Entry> list() {
    Map<String, Entry> live = new LinkedHashMap<>();
    try {
      client.readAll(sessionId, ReadOptions.fromStart().types(CREATED_TYPE, DELETED_TYPE).limit(1000))
          .forEach(record -> fold(live, record));
    } catch (SessionNotFoundException none) {
      return List.of();
    }
    return new ArrayList<>(live.values());
  }

  private static void fold(Map<String, Entry> live, EventRecord record) {
    String conversationId = record.event().path("conversation_id").asText();
    int generation = record.event().path("generation").asInt();
    if (CREATED_TYPE.equals(record.type())) {
      live.remove(conversationId);
      live.put(conversationId, new Entry(conversationId, generation, record.recordedAt(), record.event()));
    } else {
      Entry entry = live.get(conversationId);
      if (entry != null && entry.generation() <= generation) {
        live.remove(conversationId);
      }
    }
  }
}
