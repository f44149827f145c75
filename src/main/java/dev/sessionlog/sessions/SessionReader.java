package dev.sessionlog.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.recorder.SpawnLinks;
import java.util.Optional;

/**
 * Materialized sessions as the API serves them. A sub-agent's spawn ref is completed here, from
 * its parent session's tool call: the two sessions are folded by different invocations in any
 * order, so the link is joined when it is read, complete whichever was folded first.
 */
public final class SessionReader {

    private final SessionStore store;
    private final LogFold logFold;

    public SessionReader(SessionStore store, LogFold logFold) {
        this.store = store;
        this.logFold = logFold;
    }

    /** The stored fold; for a session the recorder has not reached yet, a fold of its log as it is now. */
    public Optional<SessionFold> fold(StreamKey key) {
        Optional<SessionStore.Stored> stored = store.loadWhole(key); // served whole: frozen loops too
        if (stored.isPresent()) {
            return Optional.of(stored.get().fold());
        }
        SessionFold fold = logFold.of(key); // a fork starts from its lineage, as the recorder folds it
        return fold.recordedThroughSeq() == 0 ? Optional.empty() : Optional.of(fold);
    }

    public Optional<ObjectNode> session(StreamKey key) {
        return fold(key).map(fold -> withSpawnLink(key, fold.toSessionJson()));
    }

    private ObjectNode withSpawnLink(StreamKey key, ObjectNode session) {
        JsonNode ref = session.get("parent_spawn_ref");
        if (ref == null || !ref.isObject() || !ref.path("tool_call_id").asText("").isEmpty()) {
            return session; // no spawn ref, or already complete
        }
        String parentSession = ref.path("parent_session_id").asText(null);
        if (parentSession == null || parentSession.equals(key.sessionId())) {
            return session;
        }
        // The parent as its own GET serves it (stored, or folded from its log before the recorder got
        // to it): the link never depends on how far the recorder has come with the other session.
        return fold(new StreamKey(key.tenant(), parentSession))
                .map(parent -> (ObjectNode) SpawnLinks.enrich(session, parent.toSessionJson()))
                .orElse(session);
    }
}
