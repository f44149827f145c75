package dev.sessionlog.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps a materialized session (or one loop) within the answer's limit: the loops whose messages and
 * turns weigh most are served without them, marked {@code "truncated": true}, until the answer fits;
 * the loop endpoint pages what was left out ({@code ?part=messages|turns}).
 */
final class SessionFitting {

    private SessionFitting() {
    }

    static ObjectNode session(ObjectNode session, long maxBytes) {
        long size = ResponseSize.escapedBytes(session);
        if (size <= maxBytes) {
            return session;
        }
        List<ObjectNode> loops = new ArrayList<>();
        session.path("loops").forEach(l -> loops.add((ObjectNode) l));
        List<long[]> weights = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            weights.add(new long[] {i, parts(loops.get(i))});
        }
        weights.sort(Comparator.comparingLong((long[] w) -> w[1]).reversed());
        for (long[] w : weights) {
            if (size <= maxBytes) {
                break;
            }
            truncate(loops.get((int) w[0]));
            size -= w[1];
        }
        return session;
    }

    static ObjectNode loop(ObjectNode loop, long maxBytes) {
        if (ResponseSize.escapedBytes(loop) > maxBytes) {
            truncate(loop);
        }
        return loop;
    }

    private static long parts(ObjectNode loop) {
        return ResponseSize.escapedBytes(loop.path("messages")) + ResponseSize.escapedBytes(loop.path("turns"));
    }

    private static void truncate(ObjectNode loop) {
        loop.set("messages", Json.MAPPER.createArrayNode());
        loop.set("turns", Json.MAPPER.createArrayNode());
        loop.put("truncated", true);
    }

    /** Items of one part of a loop from index {@code after}, within the limit and the answer's size. */
    static List<JsonNode> page(JsonNode items, int after, int limit, long maxBytes) {
        List<JsonNode> page = new ArrayList<>();
        long size = 0;
        for (int i = after; i < items.size() && page.size() < limit; i++) {
            long one = ResponseSize.escapedBytes(items.get(i)) + 1;
            if (!page.isEmpty() && size + one > maxBytes) {
                break;
            }
            if (one > maxBytes) {
                // One turn can gather more than an answer holds: its events stay readable one by one.
                page.add(Json.MAPPER.createObjectNode().put("truncated", true).put("index", i)
                        .put("reason", "larger than an answer can be; read its events from the events endpoint"));
                size += 100;
                continue;
            }
            page.add(items.get(i));
            size += one;
        }
        return page;
    }
}
