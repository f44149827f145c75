package dev.sessionlog.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.chain.Jcs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Turns the body of {@code POST /v1/sessions/{session_id}/events} into an {@link AppendRequest},
 * or fails with a message that names the offending field and, for sizes, the limit.
 */
public final class AppendRequestParser {

    private final Limits limits;

    public AppendRequestParser(Limits limits) {
        this.limits = limits;
    }

    public AppendRequest parse(String sessionId, String body) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("request body is required: a JSON object with an \"events\" array");
        }
        int requestBytes = body.getBytes(StandardCharsets.UTF_8).length;
        if (requestBytes > limits.maxRequestBytes()) {
            throw new TooLargeException("request is " + requestBytes + " bytes; the limit is "
                    + limits.maxRequestBytes() + " bytes");
        }
        JsonNode root;
        try {
            root = Json.parseRequest(body);
        } catch (StreamConstraintsException e) {
            throw new InvalidRequestException("request body is outside the limits of JSON this API reads (at most "
                    + Json.REQUEST_MAX_DEPTH + " levels of nesting): " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("request body must be a JSON object with an \"events\" array");
        }
        OptionalLong expectedSeq = parseExpectedSeq(root.get("expected_seq"));
        JsonNode events = root.get("events");
        if (events == null || events.isNull()) {
            throw new InvalidRequestException("events is required: an array of 1 to " + limits.maxEventsPerRequest() + " events");
        }
        if (!events.isArray()) {
            throw new InvalidRequestException("events must be an array of 1 to " + limits.maxEventsPerRequest() + " events");
        }
        if (events.isEmpty()) {
            throw new InvalidRequestException("events must hold 1 to " + limits.maxEventsPerRequest() + " events, was empty");
        }
        if (events.size() > limits.maxEventsPerRequest()) {
            throw new TooLargeException("events holds " + events.size() + " events; the limit is "
                    + limits.maxEventsPerRequest() + " events per request");
        }
        List<NewEvent> parsed = new ArrayList<>(events.size());
        Map<String, Integer> seenIds = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = parseEnvelope(sessionId, "events[" + i + "]", events.get(i));
            if (event.eventId() != null) {
                Integer earlier = seenIds.putIfAbsent(event.eventId(), i);
                if (earlier != null) {
                    throw new InvalidRequestException("events[" + i + "].event_id \"" + event.eventId()
                            + "\" repeats events[" + earlier + "].event_id");
                }
            }
            parsed.add(event);
        }
        return new AppendRequest(parsed, expectedSeq);
    }

    private static OptionalLong parseExpectedSeq(JsonNode node) {
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            throw new InvalidRequestException("expected_seq must be an integer >= 0, was " + node);
        }
        return OptionalLong.of(node.asLong());
    }

    private NewEvent parseEnvelope(String sessionId, String path, JsonNode envelope) {
        if (envelope == null || !envelope.isObject()) {
            throw new InvalidRequestException(path + " must be an object with an \"event\" object");
        }
        String eventId = optionalId(path + ".event_id", envelope.get("event_id"));
        String parentEventId = optionalId(path + ".parent_event_id", envelope.get("parent_event_id"));
        String parentSessionId = optionalId(path + ".parent_session_id", envelope.get("parent_session_id"));
        if (parentSessionId != null && parentEventId == null) {
            throw new InvalidRequestException(path + ".parent_session_id is only meaningful with parent_event_id");
        }

        JsonNode event = envelope.get("event");
        if (event == null || event.isNull()) {
            throw new InvalidRequestException(path + ".event is required: a JSON object with a string \"type\"");
        }
        if (!event.isObject()) {
            throw new InvalidRequestException(path + ".event must be a JSON object, was " + event.getNodeType().name().toLowerCase());
        }
        JsonNode type = event.get("type");
        if (type == null || !type.isTextual() || type.asText().isEmpty()) {
            throw new InvalidRequestException(path + ".event.type is required and must be a non-empty string");
        }
        if (type.asText().length() > Limits.MAX_TYPE_LENGTH) {
            throw new InvalidRequestException(path + ".event.type must be at most " + Limits.MAX_TYPE_LENGTH
                    + " characters, was " + type.asText().length());
        }
        JsonNode namedSession = event.get("session_id");
        if (namedSession != null && !namedSession.isNull() && !namedSession.isTextual()) {
            throw new InvalidRequestException(path + ".event.session_id must be a string naming the session of the path");
        }
        if (namedSession != null && namedSession.isTextual() && !namedSession.asText().equals(sessionId)) {
            throw new InvalidRequestException(path + ".event.session_id \"" + namedSession.asText()
                    + "\" does not match the session of the path \"" + sessionId + "\"");
        }
        // The size first: every later check walks the event, and must only ever walk one of bounded size.
        byte[] body = Json.bytes(event);
        if (body.length > limits.maxEventBytes()) {
            throw new TooLargeException(path + ".event is " + body.length + " bytes of JSON; the limit is "
                    + limits.maxEventBytes() + " bytes (1 MiB) per event");
        }
        try {
            Jcs.check(event, path + ".event");
        } catch (Jcs.NotCanonicalException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        return new NewEvent(eventId, parentEventId, parentSessionId, event, body);
    }

    private static String optionalId(String field, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidRequestException(field + " must be a string");
        }
        String problem = Ids.problem(field, node.asText());
        if (problem != null) {
            throw new InvalidRequestException(problem);
        }
        return node.asText();
    }
}
