package dev.sessionlog.api;

import java.util.List;

/**
 * The API's routes, by method and path (after /v1): what API Gateway routes, and what the handlers
 * match on (so that $default and the local runner reach the same code). Writes go to the append
 * function, reads to the query function.
 */
public enum Route {
    APPEND("POST", true, "sessions", "*", "events"),
    FORK("POST", true, "sessions", "*", "fork"),
    ERASE("DELETE", true, "sessions", "*"),
    EVENTS("GET", false, "sessions", "*", "events"),
    HEAD("GET", false, "sessions", "*", "head"),
    CHILDREN("GET", false, "sessions", "*", "events", "*", "children"),
    SESSION("GET", false, "sessions", "*"),
    LOOP("GET", false, "sessions", "*", "loops", "*"),
    VERIFY("GET", false, "sessions", "*", "verify"),
    /** A ticket to follow the session over WebSocket: a read, served by the query function. */
    FOLLOW("POST", false, "sessions", "*", "follow"),
    /** A ticket to follow the tenant's list of sessions (which got events, or were erased). */
    FOLLOW_SESSIONS("POST", false, "follow"),
    SESSIONS("GET", false, "sessions");

    final String method;
    final boolean write;
    final String[] pattern;

    Route(String method, boolean write, String... pattern) {
        this.method = method;
        this.write = write;
        this.pattern = pattern;
    }

    public String method() {
        return method;
    }

    public boolean isWrite() {
        return write;
    }

    /** The path as API Gateway's route key writes it: /v1/sessions/{session_id}/events... */
    public String pathTemplate() {
        StringBuilder path = new StringBuilder("/v1");
        String[] names = {"session_id", "event_id"};
        int wildcard = 0;
        for (String part : pattern) {
            if (part.equals("*")) {
                String name = this == LOOP && wildcard == 1 ? "loop_id" : names[Math.min(wildcard, names.length - 1)];
                path.append("/{").append(name).append('}');
                wildcard++;
            } else {
                path.append('/').append(part);
            }
        }
        return path.toString();
    }

    /**
     * Whether API Gateway's routes give this request to the append function (a write route) rather
     * than the query function (every other route, and $default): what the local gateway and the
     * tests dispatch by.
     */
    public static boolean goesToAppend(String method, String rawPath) {
        String trimmed = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        trimmed = trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        String[] parts = trimmed.split("/", -1);
        if (parts.length < 1 || !parts[0].equals("v1")) {
            return false;
        }
        ApiPath path = new ApiPath(List.of(parts).subList(1, parts.length));
        return java.util.Arrays.stream(values()).anyMatch(r -> r.write && r.method.equals(method) && path.matches(r.pattern));
    }

    /**
     * The route of a request.
     *
     * @throws ApiException 404 route_not_found when no route has the path, 405 when its method is another
     */
    public static Route of(ApiPath path, String method) {
        List<Route> byPath = java.util.Arrays.stream(values()).filter(r -> path.matches(r.pattern)).toList();
        if (byPath.isEmpty()) {
            throw new ApiException(404, "route_not_found", "no route " + method + " /v1/" + String.join("/", path.segments()));
        }
        return byPath.stream().filter(r -> r.method.equals(method)).findFirst().orElseThrow(() -> new ApiException(405,
                "method_not_allowed", method + " is not allowed on /v1/" + String.join("/", path.segments()) + "; use "
                        + String.join(" or ", byPath.stream().map(r -> r.method).toList())));
    }
}
