package dev.sessionlog.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The product's ObjectMappers. Numbers are kept exactly as sent (big decimals, no float rounding)
 * so that an event is served back as the same JSON it was appended as.
 *
 * <p>Nesting: a request may nest {@value #REQUEST_MAX_DEPTH} levels deep ({@link #parseRequest}).
 * Everything the product writes or reads back itself (archive lines, session states, the served
 * materialized session) wraps events a few levels deeper, so {@link #MAPPER} allows
 * {@value #STORED_MAX_DEPTH}: an event that append accepted can always be stored and served.
 */
public final class Json {

    /** The deepest nesting of a request body, the event inside it included. */
    public static final int REQUEST_MAX_DEPTH = 1000;
    /** What the product's own documents may reach: a request's depth plus room for their wrapping. */
    public static final int STORED_MAX_DEPTH = 2 * REQUEST_MAX_DEPTH;

    public static final ObjectMapper MAPPER = mapper(STORED_MAX_DEPTH, false);
    /** A client's JSON: an object with a key twice is refused, so that the chain hashes exactly what was sent. */
    private static final ObjectMapper REQUEST_MAPPER = mapper(REQUEST_MAX_DEPTH, true);

    private Json() {
    }

    private static ObjectMapper mapper(int maxDepth, boolean strictDuplicates) {
        JsonFactory factory = JsonFactory.builder()
                .configure(StreamReadFeature.STRICT_DUPLICATE_DETECTION, strictDuplicates)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(STORED_MAX_DEPTH).build())
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .build();
    }

    /**
     * A client's JSON: at most {@value #REQUEST_MAX_DEPTH} levels deep, and no object with the same key
     * twice ({@link InvalidRequestException} naming the key and where it is).
     */
    public static JsonNode parseRequest(String text) throws JsonProcessingException {
        try {
            return REQUEST_MAPPER.readTree(text);
        } catch (JsonParseException e) {
            JsonParser p = e.getProcessor();
            if (p != null && e.getOriginalMessage().startsWith("Duplicate")) {
                String where = p.getParsingContext().pathAsPointer().toString();
                throw new InvalidRequestException("request body has the key \"" + abbreviate(p.getParsingContext().getCurrentName())
                        + "\" twice in one object" + (where.isEmpty() ? "" : " (at " + abbreviate(where) + ")")
                        + ": every key may appear once, so that the chain hashes exactly what was sent");
            }
            throw e;
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    public static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    public static JsonNode parse(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("stored JSON is not readable", e);
        }
    }

    /**
     * The value's compact JSON text, with every lone surrogate written as its escape: the text is then
     * valid Unicode, and survives being encoded as UTF-8 (an answer, an archive line) unchanged.
     */
    public static String write(Object value) {
        try {
            return escapeLoneSurrogates(MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        }
    }

    /** JSON text with its lone surrogates (they can only be inside strings) as escapes (backslash, u, four hex digits). */
    static String escapeLoneSurrogates(String json) {
        int i = 0;
        while (i < json.length() && !Character.isSurrogate(json.charAt(i))) {
            i++;
        }
        if (i == json.length()) {
            return json;
        }
        StringBuilder out = new StringBuilder(json.length() + 16).append(json, 0, i);
        for (; i < json.length(); i++) {
            char c = json.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
                out.append(c).append(json.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The node's compact UTF-8 JSON. A lone surrogate in a string (JSON allows one as an escape; a
     * stream cut inside an emoji makes one) is written as its escape, not replaced: the bytes read back
     * as the same text, so the chain value computed at append verifies. Everything else is as
     * String.getBytes would give it (surrogate pairs as their 4-byte UTF-8).
     */
    public static byte[] bytes(JsonNode node) {
        try {
            return BYTES.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON node", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectWriter BYTES =
            MAPPER.writer().with(com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8);
}
