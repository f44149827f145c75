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

    /** A parameter that has no default: null when absent or empty ({@code wait=} is no wait), else in range. */
    static Long optionalLong(HttpApiEvent event, String name, long min, long max) {
        String raw = event.query(name);
        return raw == null || raw.isEmpty() ? null : longParam(event, name, min, min, max);
    }

    static int limit(HttpApiEvent event, int defaultValue, int max) {
        return (int) longParam(event, "limit", defaultValue, 1, max);
    }

    static final int MAX_TYPES = 20;

    /** {@code types=A,B}: 1 to 20 names of 1 to 256 characters; empty when absent. */
    static java.util.Set<String> types(HttpApiEvent event) {
        String raw = event.query("types");
        if (raw == null) {
            return java.util.Set.of();
        }
        String[] names = raw.split(",", -1);
        if (names.length > MAX_TYPES) {
            throw ApiException.invalid("types takes 1 to " + MAX_TYPES + " comma-separated type names, was " + names.length);
        }
        java.util.Set<String> types = new java.util.LinkedHashSet<>();
        for (String name : names) {
            if (name.isEmpty() || name.length() > dev.sessionlog.event.Limits.MAX_TYPE_LENGTH) {
                throw ApiException.invalid("types takes type names of 1 to " + dev.sessionlog.event.Limits.MAX_TYPE_LENGTH
                        + " characters, separated by commas; one was " + name.length() + " characters");
            }
            types.add(name);
        }
        return types;
    }
}
