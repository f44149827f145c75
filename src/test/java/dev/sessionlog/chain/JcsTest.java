package dev.sessionlog.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** RFC 8785's own examples: the number serialization samples of its appendix B, and its canonical object. */
class JcsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0000000000000000, 0",
        "8000000000000000, 0",
        "0000000000000001, 5e-324",
        "8000000000000001, -5e-324",
        "7fefffffffffffff, 1.7976931348623157e+308",
        "ffefffffffffffff, -1.7976931348623157e+308",
        "4340000000000000, 9007199254740992",
        "c340000000000000, -9007199254740992",
        "4430000000000000, 295147905179352830000",
        "44b52d02c7e14af5, 9.999999999999997e+22",
        "44b52d02c7e14af6, 1e+23",
        "44b52d02c7e14af7, 1.0000000000000001e+23",
        "444b1ae4d6e2ef4e, 999999999999999700000",
        "444b1ae4d6e2ef4f, 999999999999999900000",
        "444b1ae4d6e2ef50, 1e+21",
        "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
        "3eb0c6f7a0b5ed8d, 0.000001",
        "41b3de4355555553, 333333333.3333332",
        "41b3de4355555554, 333333333.33333325",
        "41b3de4355555555, 333333333.3333333",
        "41b3de4355555556, 333333333.3333334",
        "41b3de4355555557, 333333333.33333343",
        "becbf647612f3696, -0.0000033333333333333333",
        "43143ff3c1cb0959, 1424953923781206.2",
    })
    void numbersAreWrittenAsEcmaScriptWritesTheirDouble(String bits, String expected) {
        double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
        assertEquals(expected, Jcs.es6(d));
    }

    @Test
    void theRfcsExampleObjectIsCanonicalized() throws Exception {
        String input = """
                {"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                 "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
                 "literals": [null, true, false]}""";
        String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertEquals(expected, Jcs.canonical(Json.parse(input)));
    }

    @Test
    void membersAreSortedByUtf16CodeUnits() throws Exception {
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        String canonical = Jcs.canonical(Json.parse(input));
        assertEquals("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\","
                + "\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}", canonical);
    }

    @Test
    void aNumberNoDoubleHoldsHasNoCanonicalForm() throws Exception {
        assertThrows(Jcs.NotCanonicalException.class, () -> Jcs.check(Json.parse("{\"a\":[1,1e400]}"), "event"));
        assertEquals("{\"a\":1e+300}", Jcs.canonical(Json.parse("{\"a\":1000e297}")));
    }

    /** The README's worked example: the canonical form of a record and its chain value (the script agrees). */
    @Test
    void theReadmesWorkedExampleHolds() throws Exception {
        EventRecord record = dev.sessionlog.event.EventRecordJson.fromJson(Json.parse("{\"seq\": 1, \"event_id\": \"e-1\","
                + " \"parent_event_id\": null, \"parent_session_id\": null, \"recorded_at\": \"2026-11-21T10:00:00.123Z\","
                + " \"chain\": \"ignored\", \"event\": {\"type\": \"ToolExecutionEnd\", \"tool_call_id\": \"toolu_1\","
                + " \"duration_ms\": 1.50e3, \"result\": {\"ok\": true, \"text\": \"r\\u00e9sum\\u00e9 \\u20ac\"}, \"cost\": 0.000001}}"));
        assertEquals("{\"event\":{\"cost\":0.000001,\"duration_ms\":1500,\"result\":{\"ok\":true,\"text\":\"r\u00e9sum\u00e9 \u20ac\"},"
                + "\"tool_call_id\":\"toolu_1\",\"type\":\"ToolExecutionEnd\"},\"event_id\":\"e-1\",\"parent_event_id\":null,"
                + "\"parent_session_id\":null,\"recorded_at\":\"2026-11-21T10:00:00.123Z\",\"seq\":1}",
                new String(Jcs.utf8(dev.sessionlog.event.EventRecordJson.withoutChain(record)), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("bf6a618f04bc2d9be00f4b84e8ac1e405dc3b310e09b722f56a1b389ec00218b", ChainHash.next(null, record));
    }

    /**
     * The sticky-digit shortcut writes every double as rounding its whole exact value does (the form
     * the chains already stored were hashed with): random bit patterns, tiny and huge ones included.
     */
    @Test
    void numbersAreWrittenAsFromTheirWholeExactValue() {
        java.util.Random random = new java.util.Random(18);
        for (int i = 0; i < 40_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(d) || Double.isInfinite(d) || d == 0) {
                continue;
            }
            assertEquals(fromWholeExactValue(Math.abs(d)), Jcs.shortestDigits(Math.abs(d)), () -> Double.toString(d));
        }
        java.util.List<Double> edges = new java.util.ArrayList<>(java.util.List.of(1.2345e-301, 5e-324, Double.MIN_NORMAL,
                Math.nextDown(Double.MIN_NORMAL), Math.nextUp(Double.MIN_NORMAL), Double.MAX_VALUE, Math.nextDown(Double.MAX_VALUE),
                0.1, 0.3, 1e21, 1e-7, 9007199254740993.0, 2.82879384806159E17, 1.18575755E-316, 5e-324 * 2, 5e-324 * 3));
        for (int exponent = -1074; exponent <= 1023; exponent++) {
            double power = Math.scalb(1.0, exponent); // powers of two: where the interval is lopsided
            edges.add(power);
            edges.add(Math.nextDown(power));
            edges.add(Math.nextUp(power));
            edges.add(power * (1 + random.nextDouble()));
        }
        for (double d : edges) {
            if (d > 0 && !Double.isInfinite(d)) {
                assertEquals(fromWholeExactValue(d), Jcs.shortestDigits(d), () -> Double.toString(d));
            }
        }
    }

    /** The writing before the shortcut: every rounding from the exact value. */
    private static java.math.BigDecimal fromWholeExactValue(double d) {
        java.math.BigDecimal exact = new java.math.BigDecimal(d);
        for (int precision = 1; precision <= 17; precision++) {
            java.math.BigDecimal rounded = exact.round(new java.math.MathContext(precision, java.math.RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == d) {
                return rounded;
            }
            java.math.BigDecimal unit = java.math.BigDecimal.ONE.movePointLeft(rounded.scale());
            for (java.math.BigDecimal neighbour : new java.math.BigDecimal[] {rounded.add(unit), rounded.subtract(unit)}) {
                if (neighbour.signum() > 0 && neighbour.doubleValue() == d && neighbour.precision() <= precision) {
                    return neighbour;
                }
            }
        }
        return exact.round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN));
    }
}
