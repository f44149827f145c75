package dev.sessionlog.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Rfc3339Test {

    @Test
    void readsTheFormsChronoWrites() {
        assertEquals(Instant.parse("2026-11-21T10:00:00Z"), Rfc3339.parse("2026-11-21T10:00:00Z"));
        assertEquals(Instant.parse("2026-11-21T10:00:00.123456789Z"), Rfc3339.parse("2026-11-21T10:00:00.123456789Z"));
        assertEquals(Instant.parse("2026-11-21T10:00:00.500Z"), Rfc3339.parse("2026-11-21t10:00:00.5z"));
        assertEquals(Instant.parse("2026-11-21T10:00:30Z"), Rfc3339.parse("2026-11-21T12:00:30+02:00"));
        assertEquals(Instant.parse("2026-11-21T15:30:00Z"), Rfc3339.parse("2026-11-21T10:00:00-05:30"));
        assertEquals(Instant.parse("2024-02-29T00:00:00Z"), Rfc3339.parse("2024-02-29T00:00:00Z"));
    }

    @Test
    void writesUtcInOneForm() {
        assertEquals("2026-11-21T10:00:30Z", Rfc3339.format(Rfc3339.parse("2026-11-21T12:00:30+02:00")));
        assertEquals("2026-11-21T10:00:00.120Z", Rfc3339.format(Rfc3339.parse("2026-11-21T10:00:00.12Z")));
    }

    @Test
    void refusesWhatIsNotAnRfc3339DateTime() {
        for (String bad : new String[] {"yesterday", "2026-11-21T10:00:00", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-11-21T24:00:00Z", "1795255200000"}) {
            assertThrows(DateTimeParseException.class, () -> Rfc3339.parse(bad), bad);
        }
    }

    @Test
    void theFastPathAgreesWithJavaTime() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            Instant t = Instant.ofEpochSecond(rnd.nextLong(0, 4_102_444_800L), rnd.nextInt(1_000_000_000));
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(rnd.nextInt(-12 * 60, 14 * 60 + 1) * 60);
            String s = OffsetDateTime.ofInstant(t, offset).toString();
            assertEquals(OffsetDateTime.parse(s).toInstant(), Rfc3339.parse(s), s);
        }
    }
}
