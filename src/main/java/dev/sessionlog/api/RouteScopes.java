package dev.sessionlog.api;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OAuth scope a token needs for each kind of route: reading, appending (and forking), erasing.
 * An empty name lets any token through, as a stack without scopes always did. The token's scopes
 * come from its {@code scope} claim (space-separated, RFC 8693/9068) or {@code scp} (a list, which
 * API Gateway hands over as "[a b]").
 */
public record RouteScopes(String read, String append, String erase) {

    public static final RouteScopes ANY_TOKEN = new RouteScopes("", "", "");

    public RouteScopes {
        read = read == null ? "" : read.trim();
        append = append == null ? "" : append.trim();
        erase = erase == null ? "" : erase.trim();
    }

    /** The scope the route asks for, "" for none. */
    public String required(Route route) {
        return switch (route) {
            case APPEND, FORK -> append;
            case ERASE -> erase;
            default -> read;
        };
    }

    /** @throws ApiException 403 forbidden when the route asks for a scope the token was not given */
    void check(Route route, Map<String, Object> claims) {
        String required = required(route);
        if (required.isEmpty() || granted(claims).contains(required)) {
            return;
        }
        throw new ApiException(403, "forbidden", route.method() + " " + route.pathTemplate() + " needs a token with the scope \""
                + required + "\"");
    }

    static Set<String> granted(Map<String, Object> claims) {
        if (claims == null) {
            return Set.of();
        }
        Object value = claims.get("scope") != null ? claims.get("scope") : claims.get("scp");
        if (value == null) {
            return Set.of();
        }
        String text = value instanceof Iterable<?> list
                ? String.join(" ", java.util.stream.StreamSupport.stream(list.spliterator(), false).map(String::valueOf).toList())
                : value.toString();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        return Arrays.stream(text.split("[\\s,]+")).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
