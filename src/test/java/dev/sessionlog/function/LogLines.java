package dev.sessionlog.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What every function's log lines must carry, checked on the lines a wire test made it write. */
final class LogLines {

    private LogLines() {
    }

    /** The last line that has every field an operator expects; fails naming the export when none has. */
    static JsonNode assertOperatorFields(String export, String... requestFields) {
        List<JsonNode> lines = ExportProfiles.logLines(export);
        assertTrue(!lines.isEmpty(), export + " wrote no JSON log line");
        JsonNode found = null;
        for (JsonNode line : lines) {
            JsonNode mdc = line.path("mdc");
            boolean complete = mdc.hasNonNull("AWSRequestId") && mdc.hasNonNull("cold_start");
            for (String field : requestFields) {
                complete &= mdc.hasNonNull(field);
            }
            if (complete) {
                found = line;
            }
        }
        assertTrue(found != null, () -> export + ": no line with the invocation's and request's fields in " + lines);
        assertEquals("sessionlog", found.get("service").asText());
        assertEquals("sessionlog-" + export, found.get("function_name").asText());
        assertTrue(found.hasNonNull("function_version") && found.hasNonNull("level") && found.hasNonNull("message")
                && found.hasNonNull("timestamp"), found::toString);
        System.out.println("log line of " + export + ": " + found);
        return found;
    }
}
