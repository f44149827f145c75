package dev.sessionlog.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Ids;
import dev.sessionlog.event.InvalidRequestException;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.ForkResult;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.SessionStore;

/**
 * {@code POST /v1/sessions/{id}/fork} and {@code DELETE /v1/sessions/{id}}: a session's start as a
 * copy of another's beginning, and its end.
 */
final class LifecycleHandler {

    private final EventLog log;
    private final SessionStore sessions;

    LifecycleHandler(EventLog log, SessionStore sessions) {
        this.log = log;
        this.sessions = sessions;
    }

    HttpApiResponse fork(StreamKey source, String bodyText) {
        JsonNode body;
        try {
            body = bodyText == null || bodyText.isBlank() ? null : Json.parseRequest(bodyText);
        } catch (InvalidRequestException e) {
            throw e;
        } catch (Exception e) {
            throw ApiException.invalid("request body is not valid JSON: a fork takes {\"new_session_id\": ..., \"at_seq\": n}");
        }
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("request body must be a JSON object: {\"new_session_id\": ..., \"at_seq\": n}");
        }
        JsonNode id = body.get("new_session_id");
        if (id == null || !id.isTextual()) {
            throw ApiException.invalid("new_session_id is required: a session id of 1 to " + Ids.MAX_LENGTH + " characters");
        }
        String problem = Ids.problem("new_session_id", id.textValue());
        if (problem != null) {
            throw ApiException.invalid(problem);
        }
        JsonNode at = body.get("at_seq");
        Long atSeq = null;
        if (at != null && !at.isNull()) {
            if (!at.isIntegralNumber() || !at.canConvertToLong() || at.longValue() < 1) {
                throw ApiException.invalid("at_seq must be an integer from 1 to the source's head, was " + QueryHandler.abbreviate(at.toString()));
            }
            atSeq = at.longValue();
        }
        if (id.textValue().equals(source.sessionId())) {
            throw new ApiException(409, "session_exists", "a session cannot be forked into its own id");
        }
        ForkResult fork = log.fork(source, id.textValue(), atSeq);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("session_id", fork.sessionId());
        answer.putObject("forked_from").put("session_id", fork.sourceSessionId()).put("seq", fork.atSeq());
        answer.put("head_seq", fork.atSeq());
        return HttpApiResponse.json(fork.created() ? 201 : 200, answer);
    }

    HttpApiResponse erase(StreamKey key) {
        log.requestErase(key);
        // Gone from the lists at once; everything it owns goes in the scheduled run.
        sessions.hideFromLists(key);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("session_id", key.sessionId());
        answer.put("status", "erasing");
        return HttpApiResponse.json(202, answer);
    }
}
