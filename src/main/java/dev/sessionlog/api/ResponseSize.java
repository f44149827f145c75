package dev.sessionlog.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;

/**
 * What an answer weighs where the platform counts it. Lambda returns at most 6 MB, and an HTTP
 * answer is its body escaped inside API Gateway's JSON envelope: every {@code "} and {@code \}
 * counts twice. Pages stop before this, whatever their limit says.
 */
public final class ResponseSize {

    /** Lambda's 6 MB (6,291,456 bytes) less room for the envelope, its headers and the page's own fields. */
    public static final long MAX_ESCAPED_BODY_BYTES = 6_000_000;
    /** What a page reads of event bodies before it stops: escaping only adds to it, so the answer still fits. */
    public static final long MAX_PAGE_READ_BYTES = 5_000_000;

    private ResponseSize() {
    }

    /** The bytes of {@code json} as a JSON string value inside the envelope (UTF-8, escapes added). */
    public static long escapedBytes(String json) {
        long n = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"' || c == '\\') {
                n += 2;
            } else if (c < 0x20) {
                n += 6;
            } else if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    public static long escapedBytes(JsonNode node) {
        return escapedBytes(Json.write(node));
    }
}
