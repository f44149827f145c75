package dev.sessionlog.adk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.EventsPage;
import dev.sessionlog.client.NewEvent;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.SessionlogClient;
import dev.sessionlog.client.errors.SeqConflictException;
import dev.sessionlog.client.errors.SessionNotFoundException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The {@code app:} or {@code user:} state of ADK, kept in a session of its own: one
 * {@code adk.StateDelta} event per ADK event that changed it (its id made from the ADK event's, so a
 * retry is a duplicate), and every {@value #SNAPSHOT_EVERY} deltas a {@code sessionlog.StateSnapshot}
 * of the whole state. Reading goes newest first back to the last snapshot: bounded, however old
 * the state.
 */
final class SharedState {
  static final String DELTA_TYPE = "adk.StateDelta";
  static final String SNAPSHOT_TYPE = "sessionlog.StateSnapshot";
  static final int SNAPSHOT_EVERY = 20;

  private final SessionlogClient client;
  /** Deltas appended since the last snapshot, per state session; unknown after a restart (then a snapshot is due). */
  private final ConcurrentMap<String, Integer> sinceSnapshot = new ConcurrentHashMap<>();

  SharedState(SessionlogClient client) {
    this.client = client;
  }

  /** Appends a delta (keys without their prefix) to the state session. */
  void append(String stateSessionId, String eventId, Map<String, JsonNode> delta, Map<String, Object> origin) {
    ObjectNode event = StateFold.JSON.createObjectNode().put("type", DELTA_TYPE);
    ObjectNode deltaNode = event.putObject("delta");
    delta.forEach(deltaNode::set);
    origin.forEach((key, value) -> event.set(key, StateFold.JSON.valueToTree(value)));
    client.append(stateSessionId, NewEvent.of(eventId, event));
    Integer count = sinceSnapshot.computeIfPresent(stateSessionId, (key, n) -> n + 1);
    Folded folded = null;
    if (count == null) { // first append of this adapter object: count what the session holds
      folded = fold(stateSessionId);
      count = folded.deltasSinceSnapshot();
      sinceSnapshot.put(stateSessionId, count);
    }
    if (count >= SNAPSHOT_EVERY) {
      snapshot(stateSessionId, folded != null ? folded : fold(stateSessionId));
    }
  }

  /** The whole state now. */
  Map<String, Object> read(String stateSessionId) {
    return fold(stateSessionId).state();
  }

  private record Folded(Map<String, Object> state, long headSeq, int deltasSinceSnapshot) {}

  private Folded fold(String stateSessionId) {
    List<EventRecord> newestFirst = new ArrayList<>();
    Map<String, Object> base = new LinkedHashMap<>();
    long head = 0;
    Long before = null;
    boolean done = false;
    try {
      while (!done) {
        ReadOptions options = ReadOptions.newestFirst().limit(SNAPSHOT_EVERY + 2);
        if (before != null) {
          options.beforeSeq(before);
        }
        EventsPage page = client.read(stateSessionId, options);
        head = Math.max(head, page.headSeq());
        for (EventRecord record : page.events()) {
          if (SNAPSHOT_TYPE.equals(record.type())) {
            base = StateFold.fromJson(record.event().get("state"));
            done = true;
            break;
          }
          newestFirst.add(record);
        }
        if (page.nextBeforeSeq() == null) {
          break;
        }
        before = page.nextBeforeSeq();
      }
    } catch (SessionNotFoundException none) {
      return new Folded(new LinkedHashMap<>(), 0, 0);
    }
    Collections.reverse(newestFirst);
    int deltas = 0;
    for (EventRecord record : newestFirst) {
      if (DELTA_TYPE.equals(record.type())) {
        StateFold.apply(base, record.event().get("delta"), StateFold.Scope.ANY);
        deltas++;
      }
    }
    return new Folded(base, head, deltas);
  }

  /** Writes the folded state as a snapshot, unless another writer came between (then a later append does). */
  private void snapshot(String stateSessionId, Folded folded) {
    ObjectNode snapshot = StateFold.JSON.createObjectNode().put("type", SNAPSHOT_TYPE).put("through_seq", folded.headSeq());
    snapshot.set("state", StateFold.JSON.valueToTree(folded.state()));
    try {
      client.append(stateSessionId, List.of(NewEvent.of(snapshot)), folded.headSeq());
      sinceSnapshot.put(stateSessionId, 0);
    } catch (SeqConflictException concurrent) {
      // someone appended meanwhile: the snapshot is retried at the next append
    }
  }
}
