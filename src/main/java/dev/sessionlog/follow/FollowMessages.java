package dev.sessionlog.follow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.event.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a follower receives (openapi.yaml, "Following"): {@code events} (records as the events
 * endpoint serves them, in seq order), {@code appended} (events through a seq that did not fit in a
 * message, to be read over HTTP), {@code erased} (the session is gone; the connection closes); a
 * tenant's list follower {@code sessions} (which sessions got events, or were erased).
 */
public final class FollowMessages {

    /** API Gateway takes messages up to 128 KB; the rest is the envelope's margin. */
    public static final int MAX_MESSAGE_BYTES = 120 * 1024;

    private FollowMessages() {
    }

    /**
     * The records as messages of at most {@link #MAX_MESSAGE_BYTES}, in order; a record that does not
     * fit in one (null: its body is kept in S3) ends them with an {@code appended} notice through
     * {@code throughSeq}.
     */
    public static List<String> events(String sessionId, List<EventRecord> records, long throughSeq) {
        List<String> messages = new ArrayList<>();
        String head = "{\"type\":\"events\",\"session_id\":" + Json.write(sessionId) + ",\"events\":[";
        StringBuilder message = new StringBuilder(head);
        int bytes = utf8(head) + 2;
        int count = 0;
        for (EventRecord record : records) {
            String json = record == null ? null : Json.write(EventRecordJson.toJson(record));
            int size = json == null ? Integer.MAX_VALUE : utf8(json) + 1;
            if (count > 0 && bytes + size > MAX_MESSAGE_BYTES) {
                messages.add(message.append("]}").toString());
                message = new StringBuilder(head);
                bytes = utf8(head) + 2;
                count = 0;
            }
            if (bytes + size > MAX_MESSAGE_BYTES) {
                messages.add(appended(sessionId, throughSeq));
                return messages;
            }
            message.append(count > 0 ? "," : "").append(json);
            bytes += size;
            count++;
        }
        if (count > 0) {
            messages.add(message.append("]}").toString());
        }
        return messages;
    }

    public static String appended(String sessionId, long throughSeq) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("type", "appended").put("session_id", sessionId)
                .put("through_seq", throughSeq);
        return Json.write(node);
    }

    /**
     * For a tenant's list: the sessions that got events, each with the last seq of the batch, or
     * {@code -1} for one erased ({@code "erased": true}).
     */
    public static String sessions(java.util.Map<String, Long> heads) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("type", "sessions");
        var sessions = node.putArray("sessions");
        heads.forEach((session, head) -> {
            ObjectNode entry = sessions.addObject().put("session_id", session);
            if (head < 0) {
                entry.put("erased", true);
            } else {
                entry.put("head_seq", head);
            }
        });
        return Json.write(node);
    }

    public static String erased(String sessionId) {
        return Json.write(Json.MAPPER.createObjectNode().put("type", "erased").put("session_id", sessionId));
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
