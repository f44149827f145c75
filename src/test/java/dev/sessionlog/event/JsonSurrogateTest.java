package dev.sessionlog.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.archive.SegmentStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A lone surrogate (JSON allows it as an escape; a stream cut inside an emoji makes one) survives
 * every way an event leaves the process as UTF-8: its stored body, an answer, an archive line.
 */
class JsonSurrogateTest {

    private final ObjectNode event = Json.MAPPER.createObjectNode().put("type", "Note")
            .put("cut", "ends in \ud83d").put("starts", "\ude00 begins").put("whole", "\ud83d\ude00 é");

    @Test
    void theTextHasNoLoneSurrogateAndReadsBackAsTheSameEvent() {
        String text = Json.write(event);
        assertFalse(text.chars().anyMatch(c -> Character.isSurrogate((char) c) && !text.contains("\ud83d\ude00")));
        assertEquals("{\"type\":\"Note\",\"cut\":\"ends in \\ud83d\",\"starts\":\"\\ude00 begins\",\"whole\":\"\ud83d\ude00 é\"}", text);
        assertEquals(event, Json.parse(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(event, Json.parse(Json.bytes(event)));
    }

    @Test
    void anArchiveLineReadsBackAsTheSameEvent() {
        EventRecord record = new EventRecord(7, "e-7", null, null, Instant.parse("2026-12-06T00:00:00Z"), event, "c");
        JsonNode line = Json.parse(SegmentStore.line(record));
        assertEquals(event, line.get("event"));
    }

    @Test
    void textWithoutSurrogatesIsUnchanged() {
        String text = "{\"a\":\"plain é ü\"}";
        assertEquals(text, Json.escapeLoneSurrogates(text));
    }
}
