package dev.sessionlog.client.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.client.AppendResult;
import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.EventsPage;
import dev.sessionlog.client.NewEvent;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.errors.PartialDuplicateException;
import dev.sessionlog.client.errors.SeqConflictException;
import dev.sessionlog.client.errors.SessionErasedException;
import dev.sessionlog.client.errors.SessionErasingException;
import dev.sessionlog.client.errors.SessionNotFoundException;
import dev.sessionlog.client.internal.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A chat memory's message list kept append-only in a conversation's session, for the frameworks
 * whose store replaces the whole list on every update (LangChain4j's updateMessages, Spring AI's
 * saveAll). One event per message ({@code {"type": <messageType>, "message": <the framework's JSON>}}).
 * An update appends only what changed: the new messages and, when the window dropped messages, a
 * {@code sessionlog.Window} marker in the same request (so the update is atomic):
 * {@code {"first_seq": S, "pinned_seqs": [...], "dropped": d}} says the list is now the pinned
 * messages (a system message kept at the front) followed by every message event from seq S on.
 * A read goes newest first back to the last marker's {@code first_seq}: its cost follows the
 * window, not the conversation's length. Writes carry {@code expected_seq}: a concurrent writer
 * makes the update read again and recompute, never interleave.
 */
public final class MessageLog {
  public static final String WINDOW_TYPE = "sessionlog.Window";
  private static final int MAX_PINNED = 4;
  private static final int FIRST_PAGE = 16;
  private static final int MAX_ATTEMPTS = 5;

  /** A message event: its seq and the framework's JSON of the message. */
  private record Stored(long seq, JsonNode message) {}

  /** What the session holds now: the list (pinned ones first) and the head it was read at. */
  private record Window(String sessionId, int generation, long headSeq, List<Stored> messages, int pinned) {}

  /** How an update is stored: keep pinned + C[from..], then append. */
  private record Plan(int from, List<Integer> pinnedIndexes, int kept) {}

  private final Generations generations;
  private final String messageType;
  private final ConversationRegistry registry;
  private final Map<String, ?> startExtra;
  private final ConcurrentMap<String, Window> known = new ConcurrentHashMap<>();

  /**
   * @param messageType the event type of a message, e.g. {@code langchain4j.ChatMessage}
   * @param registry where new conversations are listed; null when the framework lists none
   */
  public MessageLog(Generations generations, String messageType, ConversationRegistry registry, Map<String, ?> startExtra) {
    this.generations = generations;
    this.messageType = messageType;
    this.registry = registry;
    this.startExtra = startExtra;
  }

  private SessionlogClient client() {
    return generations.client();
  }

  /**
   * The conversation's messages, oldest first, each as the framework's JSON. When this object has
   * read or written the conversation before, the session's head (one event) says whether anything
   * changed since; only then is the window read again.
   */
  public List<JsonNode> read(String conversationId) {
    Window window = unchanged(known.get(conversationId));
    if (window == null) {
      window = load(conversationId);
    }
    List<JsonNode> messages = new ArrayList<>(window.messages().size());
    window.messages().forEach(stored -> messages.add(stored.message()));
    return messages;
  }

  /** The cached window when the session's head is still where it was; null when it moved, or is gone. */
  private Window unchanged(Window cached) {
    if (cached == null || cached.headSeq() == 0) {
      return null;
    }
    try {
      return client().head(cached.sessionId()).headSeq() == cached.headSeq() ? cached : null;
    } catch (SessionNotFoundException | SessionErasingException | SessionErasedException gone) {
      return null; // erased (cleared by another adapter object): load() finds the current generation
    }
  }

  private Window load(String conversationId) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      int generation = generations.current(conversationId);
      String sessionId = ConversationIds.generation(conversationId, generation);
      try {
        Window window = readWindow(sessionId, generation);
        known.put(conversationId, window);
        return window;
      } catch (SessionNotFoundException e) {
        if (generations.refresh(conversationId) == generation) {
          Window empty = new Window(sessionId, generation, 0, List.of(), 0);
          known.put(conversationId, empty);
          return empty;
        }
      }
    }
    throw new IllegalStateException("conversation " + conversationId + " kept moving to new generations while being read");
  }

  private Window readWindow(String sessionId, int generation) {
    List<Stored> newestFirst = new ArrayList<>();
    Long firstSeq = null;
    List<Long> pinnedSeqs = List.of();
    long head = -1;
    Long before = null;
    int limit = FIRST_PAGE;
    boolean done = false;
    while (!done) {
      ReadOptions options = ReadOptions.newestFirst().limit(limit);
      if (before != null) {
        options.beforeSeq(before);
      }
      EventsPage page = client().read(sessionId, options);
      if (head < 0) {
        head = page.headSeq();
      }
      for (EventRecord record : page.events()) {
        if (firstSeq != null && record.seq() < firstSeq) {
          done = true;
          break;
        }
        if (firstSeq == null && WINDOW_TYPE.equals(record.type())) {
          firstSeq = record.event().path("first_seq").asLong();
          List<Long> pins = new ArrayList<>();
          record.event().path("pinned_seqs").forEach(seq -> pins.add(seq.asLong()));
          pinnedSeqs = pins;
        } else if (messageType.equals(record.type())) {
          newestFirst.add(new Stored(record.seq(), record.event().get("message")));
        }
      }
      if (done || page.nextBeforeSeq() == null) {
        break;
      }
      before = page.nextBeforeSeq();
      // once the marker is known, ask for exactly what is left down to its first_seq
      long remaining = firstSeq == null ? Math.min(limit * 2L, 1000) : before - firstSeq;
      if (remaining <= 0) {
        break;
      }
      limit = (int) Math.min(remaining, 1000);
    }
    List<Stored> messages = new ArrayList<>(readPinned(sessionId, pinnedSeqs));
    int pinned = messages.size();
    Collections.reverse(newestFirst);
    messages.addAll(newestFirst);
    return new Window(sessionId, generation, Math.max(head, 0), List.copyOf(messages), pinned);
  }

  private List<Stored> readPinned(String sessionId, List<Long> seqs) {
    List<Stored> pinned = new ArrayList<>();
    int i = 0;
    while (i < seqs.size()) {
      int j = i; // a run of consecutive seqs is one read
      while (j + 1 < seqs.size() && seqs.get(j + 1) == seqs.get(j) + 1) {
        j++;
      }
      EventsPage page = client().read(sessionId, ReadOptions.after(seqs.get(i) - 1).limit(j - i + 1));
      for (EventRecord record : page.events()) {
        pinned.add(new Stored(record.seq(), record.event().get("message")));
      }
      i = j + 1;
    }
    return pinned;
  }

  /** Makes the stored list equal {@code messages}, appending only what changed. */
  public void replace(String conversationId, List<JsonNode> messages) {
    List<JsonNode> wanted = new ArrayList<>(messages.size());
    messages.forEach(message -> wanted.add(normalized(message)));
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Window window = known.get(conversationId);
      if (window == null) {
        window = load(conversationId);
      }
      Plan plan = plan(window, wanted);
      if (plan.from() == 0 && plan.pinnedIndexes().isEmpty() && plan.kept() == window.messages().size()
          && wanted.size() == plan.kept()) {
        return; // nothing changed
      }
      try {
        known.put(conversationId, write(conversationId, window, plan, wanted));
        return;
      } catch (SeqConflictException | PartialDuplicateException conflict) {
        known.remove(conversationId); // another writer: read again and recompute
      } catch (SessionErasingException | SessionErasedException erased) {
        generations.recover(conversationId, window.generation());
        known.remove(conversationId);
      }
    }
    throw new IllegalStateException("conversation " + conversationId + ": the update kept conflicting with other writers");
  }

  private Window write(String conversationId, Window window, Plan plan, List<JsonNode> wanted) {
    List<NewEvent> events = new ArrayList<>();
    long nextSeq = window.headSeq() + 1;
    boolean creating = window.headSeq() == 0;
    if (creating) {
      if (registry != null) {
        registry.created(conversationId, window.generation(), Map.of());
      }
      // a client-made id: another writer creating the same session at once gets a seq conflict, not a duplicate
      events.add(NewEvent.of(generations.startEvent(conversationId, window.generation(), startExtra)));
      nextSeq++;
    }
    List<Stored> current = window.messages();
    boolean dropsSomething = plan.from() > 0 || !plan.pinnedIndexes().isEmpty();
    List<Stored> kept = new ArrayList<>();
    plan.pinnedIndexes().forEach(i -> kept.add(current.get(i)));
    kept.addAll(current.subList(plan.from(), current.size()));
    if (dropsSomething) {
      long firstAppended = nextSeq + 1;
      long firstSeq = plan.from() < current.size() ? current.get(plan.from()).seq() : firstAppended;
      ObjectNode marker = Json.MAPPER.createObjectNode().put("type", WINDOW_TYPE).put("first_seq", firstSeq);
      ArrayNode pins = marker.putArray("pinned_seqs");
      plan.pinnedIndexes().forEach(i -> pins.add(current.get(i).seq()));
      marker.put("dropped", current.size() - plan.kept());
      events.add(NewEvent.of(marker));
      nextSeq++;
    }
    List<JsonNode> appended = wanted.subList(plan.kept(), wanted.size());
    for (JsonNode message : appended) {
      ObjectNode event = Json.MAPPER.createObjectNode().put("type", messageType);
      event.set("message", message);
      events.add(NewEvent.of(event));
    }
    if (events.isEmpty()) {
      return window;
    }
    List<Stored> after = new ArrayList<>(kept);
    long head = window.headSeq();
    for (int from = 0; from < events.size(); from += SessionlogClient.MAX_EVENTS_PER_REQUEST) {
      List<NewEvent> chunk = events.subList(from, Math.min(events.size(), from + SessionlogClient.MAX_EVENTS_PER_REQUEST));
      AppendResult result = client().append(window.sessionId(), chunk, head);
      head = result.headSeq();
    }
    long seq = window.headSeq() + events.size() - appended.size() + 1;
    for (JsonNode message : appended) {
      after.add(new Stored(seq++, message));
    }
    return new Window(window.sessionId(), window.generation(), head, List.copyOf(after),
        dropsSomething ? plan.pinnedIndexes().size() : window.pinned());
  }

  /**
   * The cheapest way from the stored list C to the wanted list N: N = (some of C[0..from), in order)
   * + C[from..] + new messages, keeping as many stored messages as possible. {@code from} must not
   * cut into the stored list's own pinned part (a marker's run is every message from a seq on);
   * dropping everything and appending N is always possible.
   */
  private static Plan plan(Window window, List<JsonNode> wanted) {
    List<Stored> current = window.messages();
    Plan best = new Plan(current.size(), List.of(), 0);
    for (int from = 0; from <= current.size(); from++) {
      if (from > 0 && from < window.pinned()) {
        continue;
      }
      int run = current.size() - from;
      for (int pins = 0; pins <= Math.min(from, MAX_PINNED); pins++) {
        if (from == 0 && pins > 0) {
          continue;
        }
        int kept = pins + run;
        if (kept > wanted.size() || kept <= best.kept()) {
          continue;
        }
        if (!runMatches(current, from, wanted, pins)) {
          continue;
        }
        List<Integer> pinnedIndexes = subsequence(current, from, wanted, pins);
        if (pinnedIndexes != null) {
          best = new Plan(from, pinnedIndexes, kept);
        }
      }
    }
    return best;
  }

  private static boolean runMatches(List<Stored> current, int from, List<JsonNode> wanted, int at) {
    for (int i = from; i < current.size(); i++) {
      if (!current.get(i).message().equals(wanted.get(at + i - from))) {
        return false;
      }
    }
    return true;
  }

  /** Indexes in C[0..from) of wanted[0..pins), matched in order; null when they are not there. */
  private static List<Integer> subsequence(List<Stored> current, int from, List<JsonNode> wanted, int pins) {
    List<Integer> indexes = new ArrayList<>(pins);
    int at = 0;
    for (int i = 0; i < from && indexes.size() < pins; i++) {
      if (current.get(i).message().equals(wanted.get(at))) {
        indexes.add(i);
        at++;
      }
    }
    return indexes.size() == pins ? indexes : null;
  }

  /** Erases the conversation (the DELETE) and goes on in a new generation. */
  public void clear(String conversationId) {
    int cleared = generations.clear(conversationId);
    known.remove(conversationId);
    if (registry != null) {
      registry.deleted(conversationId, cleared);
    }
  }

  /** The conversations of this adapter's registry. */
  public List<String> conversationIds() {
    if (registry == null) {
      throw new UnsupportedOperationException("this message log keeps no registry");
    }
    return registry.list().stream().map(ConversationRegistry.Entry::conversationId).toList();
  }

  /** The same JSON as it reads back from the service (numbers and all), so that equal messages compare equal. */
  private static JsonNode normalized(JsonNode message) {
    try {
      return Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(message));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a message is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
