package dev.sessionlog.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sessionlog.event.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a fork's inherited events live: its source up to the fork's seq, that source's own source
 * up to its fork's seq, and so on, nearest first. A session that is no fork has none.
 */
public record Lineage(List<Ancestor> ancestors) {

    /** Events of {@code sessionId} with seq at most {@code throughSeq} are the fork's. */
    public record Ancestor(String sessionId, long throughSeq) {
    }

    public static final Lineage NONE = new Lineage(List.of());

    public Lineage {
        ancestors = List.copyOf(ancestors);
    }

    public boolean isFork() {
        return !ancestors.isEmpty();
    }

    /** The lineage of a fork of this session at {@code atSeq}. */
    public Lineage forkedAt(String sessionId, long atSeq) {
        List<Ancestor> out = new ArrayList<>();
        out.add(new Ancestor(sessionId, atSeq));
        for (Ancestor a : ancestors) {
            if (a.throughSeq() < atSeq) {
                out.add(a);
            } else {
                // the fork inherits only up to atSeq, which the nearer ancestor (this session) already covers
                out.add(new Ancestor(a.sessionId(), Math.min(a.throughSeq(), atSeq)));
            }
        }
        return new Lineage(out);
    }

    public String toJson() {
        ArrayNode array = Json.MAPPER.createArrayNode();
        ancestors.forEach(a -> array.addArray().add(a.sessionId()).add(a.throughSeq()));
        return Json.write(array);
    }

    public static Lineage fromJson(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        List<Ancestor> ancestors = new ArrayList<>();
        for (JsonNode a : Json.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            ancestors.add(new Ancestor(a.get(0).asText(), a.get(1).asLong()));
        }
        return new Lineage(ancestors);
    }
}
