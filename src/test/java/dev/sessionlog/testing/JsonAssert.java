package dev.sessionlog.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;

/** JSON equality by the text it serializes to, reporting only the first difference. */
public final class JsonAssert {
    private JsonAssert() {
    }

    public static void assertSameJson(JsonNode expected, JsonNode actual) {
        String e = Json.write(expected);
        String a = Json.write(actual);
        if (e.equals(a)) {
            return;
        }
        int i = 0;
        while (i < Math.min(e.length(), a.length()) && e.charAt(i) == a.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 150);
        fail("JSON differs at character " + i + " (lengths " + e.length() + " vs " + a.length() + ")\n expected: ..."
                + e.substring(from, Math.min(e.length(), i + 150)) + "\n actual:   ..." + a.substring(from, Math.min(a.length(), i + 150)));
    }
}
