package dev.sessionlog.api;

/** Validated query parameters: each bad value is a 400 naming the parameter and its range. */
final class QueryParams {

    private QueryParams() {
    }

    static long longParam(HttpApiEvent event, String name, long defaultValue, long min, long max) {
        String raw = event.query(name);
        if (raw == null || raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message below
        }
        String range = max == Long.MAX_VALUE ? "an integer >= " + min : "an integer from " + min + " to " + max;
        throw ApiException.invalid(name + " must be " + range + ", was \"" + raw + "\"");
    }

    static int limit(HttpApiEvent event, int defaultValue, int max) {
        return (int) longParam(event, "limit", defaultValue, 1, max);
    }
}
