package dev.sessionlog.api;

import dev.sessionlog.event.Ids;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The segments of a request path after {@code /v1}, URL-decoded. Matching on the path rather than
 * the route key lets the same handler serve API Gateway's routes, a $default route and the local runner.
 */
public record ApiPath(List<String> segments) {

    public static ApiPath of(HttpApiEvent event) {
        String path = event.path();
        List<String> segments = new ArrayList<>();
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        trimmed = trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        // Empty segments stay: "/v1/sessions//events" is an empty session id, not another route.
        for (String raw : trimmed.split("/", -1)) {
            try {
                segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException badEscape) {
                throw ApiException.invalid("path segment " + (segments.size() + 1) + " (\"" + QueryHandler.abbreviate(raw)
                        + "\") is not valid percent-encoding");
            }
        }
        if (segments.isEmpty() || !segments.get(0).equals("v1")) {
            throw new ApiException(404, "route_not_found", "no route " + event.method() + " " + path);
        }
        // API Gateway decodes path parameters itself; prefer its reading of the session id.
        if (segments.size() >= 3 && event.pathParameters != null && event.pathParameters.get("session_id") != null) {
            segments.set(2, event.pathParameters.get("session_id"));
        }
        return new ApiPath(List.copyOf(segments.subList(1, segments.size())));
    }

    /** True when the path is {@code pattern}, with {@code *} matching any one segment. */
    public boolean matches(String... pattern) {
        if (pattern.length != segments.size()) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            if (!pattern[i].equals("*") && !pattern[i].equals(segments.get(i))) {
                return false;
            }
        }
        return true;
    }

    public String segment(int i) {
        return segments.get(i);
    }

    /** The validated id at segment {@code i}, or a 400 naming {@code field}. */
    public String id(int i, String field) {
        String id = segments.get(i);
        String problem = Ids.problem(field, id);
        if (problem != null) {
            throw ApiException.invalid(problem);
        }
        return id;
    }
}
