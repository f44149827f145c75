package dev.sessionlog.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785, the JSON Canonicalization Scheme: object members sorted by their names' UTF-16 code
 * units, no whitespace, strings escaped as ECMAScript's JSON.stringify does, and numbers written as
 * ECMAScript writes the IEEE-754 double they denote (the shortest digits that read back as it).
 * A number that is no finite double (1e400) has no canonical form: {@link NotCanonicalException}.
 */
public final class Jcs {

    private Jcs() {
    }

    /** A JSON value the canonical form cannot express. */
    public static final class NotCanonicalException extends RuntimeException {
        public NotCanonicalException(String message) {
            super(message);
        }
    }

    public static byte[] utf8(JsonNode node) {
        return canonical(node).getBytes(StandardCharsets.UTF_8);
    }

    public static String canonical(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    /**
     * @throws NotCanonicalException naming the first value that has no canonical form. The walk costs
     * one step per JSON value and nothing more: the path of a value is spelled out only for the one
     * that fails (a body of long keys around many values would otherwise cost their product).
     */
    public static void check(JsonNode node, String path) {
        ArrayDeque<Object> steps = new ArrayDeque<>();
        JsonNode bad = firstNotCanonical(node, steps);
        if (bad != null) {
            StringBuilder where = new StringBuilder(path);
            steps.descendingIterator().forEachRemaining(step -> where.append(step instanceof Integer i ? "[" + i + "]"
                    : "." + abbreviate((String) step)));
            throw notCanonical(where.toString(), bad);
        }
    }

    /** The first number no double holds, with the steps to it left in {@code steps}; null when there is none. */
    private static JsonNode firstNotCanonical(JsonNode node, ArrayDeque<Object> steps) {
        if (node.isNumber()) {
            double d = node.doubleValue();
            return Double.isNaN(d) || Double.isInfinite(d) ? node : null;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                steps.push(i);
                JsonNode bad = firstNotCanonical(node.get(i), steps);
                if (bad != null) {
                    return bad;
                }
                steps.pop();
            }
        } else if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                steps.push(f.getKey());
                JsonNode bad = firstNotCanonical(f.getValue(), steps);
                if (bad != null) {
                    return bad;
                }
                steps.pop();
            }
        }
        return null;
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>();
                node.fieldNames().forEachRemaining(names::add);
                names.sort(null); // String.compareTo orders by UTF-16 code units, as RFC 8785 asks
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    string(names.get(i), out);
                    out.append(':');
                    write(node.get(names.get(i)), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> string(node.textValue(), out);
            case NUMBER -> out.append(number(node, "a number"));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new NotCanonicalException("not a JSON value: " + node.getNodeType());
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || lone) {
                        // JSON.stringify escapes control characters, and lone surrogates (well-formed JSON.stringify)
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String number(JsonNode node, String path) {
        double d = node.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw notCanonical(path, node);
        }
        return es6(d);
    }

    private static NotCanonicalException notCanonical(String path, JsonNode number) {
        return new NotCanonicalException(path + " is " + abbreviate(number.asText())
                + ", which no IEEE-754 double holds (the chain's canonical form, RFC 8785, writes every number as one)");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** ECMAScript's Number.prototype.toString of a finite double. */
    static String es6(double d) {
        if (d == 0) {
            return "0"; // -0 too
        }
        String sign = d < 0 ? "-" : "";
        BigDecimal value = shortestDigits(Math.abs(d)).stripTrailingZeros();
        String digits = value.unscaledValue().toString(); // value = digits x 10^(n - k)
        int k = digits.length();
        int n = k - value.scale(); // where the decimal point goes
        StringBuilder out = new StringBuilder(sign);
        if (k <= n && n <= 21) {
            out.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(e >= 0 ? "+" : "-").append(Math.abs(e));
        }
        return out.toString();
    }

    /** The fewest significant digits that read back as d; of those, the closest to d ({@link ShortestDecimal}). */
    static BigDecimal shortestDigits(double d) {
        return ShortestDecimal.of(d);
    }
}
