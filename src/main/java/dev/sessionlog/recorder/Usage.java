package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * phi-core's Usage: six token counters, combined field by field. Missing counters read as 0 (serde
 * defaults), so that events of older phi-core versions still add up.
 */
final class Usage {

    private static final String[] FIELDS = {"input", "output", "reasoning", "cache_read", "cache_write", "total_tokens"};

    private final long[] v = new long[FIELDS.length];

    static Usage zero() {
        return new Usage();
    }

    /**
     * @param n a usage object, or null/JSON null for all zeros
     * @throws RejectedEvent when n is not an object or a counter is not a number
     */
    static Usage parse(JsonNode n, String field) {
        Usage u = new Usage();
        if (n == null || n.isNull()) {
            return u;
        }
        if (!n.isObject()) {
            throw new RejectedEvent("field '" + field + "' must be a usage object");
        }
        for (int i = 0; i < FIELDS.length; i++) {
            JsonNode c = n.get(FIELDS[i]);
            if (c == null || c.isNull()) {
                continue;
            }
            // canConvertToLong compares, it never expands: a counter of 1e99999999 is refused at once, where
            // converting it would build a number of a hundred million digits.
            if (!c.isNumber() || !c.canConvertToLong()) {
                throw new RejectedEvent("field '" + field + "." + FIELDS[i] + "' must be a number that fits 64 bits");
            }
            u.v[i] = c.longValue();
        }
        return u;
    }

    void add(Usage o) {
        for (int i = 0; i < v.length; i++) {
            v[i] += o.v[i];
        }
    }

    long input() {
        return v[0];
    }

    long output() {
        return v[1];
    }

    long totalTokens() {
        return v[5];
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        for (int i = 0; i < FIELDS.length; i++) {
            o.put(FIELDS[i], v[i]);
        }
        return o;
    }
}
