package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Closed loops that left the fold's working state, in parts: each part a JSON array of loops in
 * start order, stored once (by whoever stores the fold) under a ref and never changed. The parts
 * are always the first loops of the session, so the loops in order are the parts' then the live
 * ones. Of each part the state keeps its ref, its number of loops, their usage and a Bloom filter of
 * their ids: an event that may name one of them brings every part back (see FoldState#loop), so
 * the fold applies it exactly as if nothing had been frozen.
 */
final class FrozenLoops {

    /** Bits of Bloom filter per loop id: with {@link #HASHES} hashes, about one false "maybe" in 2,000. */
    private static final int BITS_PER_ID = 16;
    private static final int HASHES = 8;

    /** One stored part: its ref, how many loops, and a Bloom filter of their ids. */
    record Part(String ref, int loops, byte[] ids) {

        boolean mayHold(String loopId) {
            long h = hash(loopId);
            int bits = ids.length * 8;
            for (int i = 0; i < HASHES; i++) {
                int bit = Math.floorMod((int) h + i * (int) (h >>> 32), bits);
                if ((ids[bit >>> 3] & (1 << (bit & 7))) == 0) {
                    return false;
                }
            }
            return true;
        }
    }

    final List<Part> parts = new ArrayList<>();
    /** The usage of every frozen loop, summed. */
    Usage usage = Usage.zero();
    /**
     * Children that ended after their parent was frozen, in the order they ended: [parent, child]. A
     * continuation's parent is the loop before it, long closed; rather than bringing every part back
     * for it, the link is kept here, goes into the next part written, and is made when the parts
     * come back.
     */
    final List<List<String>> childrenEnded = new ArrayList<>();

    int loopCount() {
        int n = 0;
        for (Part p : parts) {
            n += p.loops();
        }
        return n;
    }

    boolean mayHold(String loopId) {
        for (Part p : parts) {
            if (p.mayHold(loopId)) {
                return true;
            }
        }
        return false;
    }

    /** These loops are stored under ref now. */
    void add(String ref, List<LoopState> loops) {
        byte[] ids = new byte[Math.max(8, (loops.size() * BITS_PER_ID + 7) / 8)];
        int bits = ids.length * 8;
        for (LoopState l : loops) {
            usage.add(l.usage);
            long h = hash(l.loopId);
            for (int i = 0; i < HASHES; i++) {
                int bit = Math.floorMod((int) h + i * (int) (h >>> 32), bits);
                ids[bit >>> 3] |= (byte) (1 << (bit & 7));
            }
        }
        parts.add(new Part(ref, loops.size(), ids));
    }

    void clear() {
        parts.clear();
        usage = Usage.zero();
        childrenEnded.clear();
    }

    static ArrayNode links(List<List<String>> links) {
        ArrayNode a = Json.F.arrayNode();
        for (List<String> link : links) {
            a.addArray().add(link.get(0)).add(link.get(1));
        }
        return a;
    }

    static List<List<String>> links(JsonNode a) {
        List<List<String>> links = new ArrayList<>();
        for (JsonNode link : a) {
            if (!link.isArray() || link.size() != 2 || !link.get(0).isTextual() || !link.get(1).isTextual()) {
                throw new IllegalArgumentException("malformed fold state: a child link is [parent, child]");
            }
            links.add(List.of(link.get(0).textValue(), link.get(1).textValue()));
        }
        return links;
    }

    /**
     * 64-bit FNV-1a of the id's UTF-8, mixed by MurmurHash3's finalizer (ids that differ in their last
     * character, as loop ids do, must land far apart), as two 32-bit halves for double hashing, the
     * second odd so that its multiples cover every bit.
     */
    private static long hash(String loopId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : loopId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h | (1L << 32);
    }

    ObjectNode toJson() {
        ObjectNode frozen = Json.object();
        frozen.set("usage", usage.toJson());
        if (!childrenEnded.isEmpty()) {
            frozen.set("children_ended", links(childrenEnded));
        }
        ArrayNode a = frozen.putArray("parts");
        for (Part p : parts) {
            ObjectNode o = a.addObject();
            o.put("ref", p.ref());
            o.put("loops", p.loops());
            o.put("ids", Base64.getEncoder().encodeToString(p.ids()));
        }
        return frozen;
    }

    void read(JsonNode frozen) {
        JsonNode parts = frozen.path("parts");
        if (!frozen.isObject() || !parts.isArray()) {
            throw new IllegalArgumentException("malformed fold state: frozen loops need usage and parts");
        }
        usage = Usage.parse(frozen.get("usage"), "usage");
        childrenEnded.addAll(links(frozen.path("children_ended")));
        for (JsonNode p : parts) {
            String ref = p.path("ref").asText(null);
            JsonNode ids = p.get("ids");
            if (ref == null || !p.path("loops").canConvertToInt() || ids == null || !ids.isTextual()) {
                throw new IllegalArgumentException("malformed fold state: a frozen part needs ref, loops and ids");
            }
            this.parts.add(new Part(ref, p.get("loops").intValue(), Base64.getDecoder().decode(ids.textValue())));
        }
    }
}
