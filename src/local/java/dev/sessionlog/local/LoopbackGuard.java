package dev.sessionlog.local;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * The local runner answers this machine only. A web page the developer visits can send a cross-site
 * POST (text/plain needs no preflight) or rebind its own name to 127.0.0.1 and read answers; the
 * first carries a foreign Origin, the second a foreign Host. Both are refused.
 */
final class LoopbackGuard {

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    private LoopbackGuard() {
    }

    /** Why the request is refused, or null when it may go on. */
    static String refusal(String host, String origin) {
        if (host == null || !LOOPBACK_NAMES.contains(hostName(host))) {
            return "the local runner answers only Host localhost or 127.0.0.1, not " + describe(host);
        }
        if (origin != null && !isLoopbackOrigin(origin)) {
            return "the local runner refuses requests from other sites (Origin " + describe(origin) + ")";
        }
        return null;
    }

    private static boolean isLoopbackOrigin(String origin) {
        try {
            URI uri = new URI(origin.trim());
            String scheme = uri.getScheme();
            return uri.getHost() != null && ("http".equals(scheme) || "https".equals(scheme))
                    && LOOPBACK_NAMES.contains(uri.getHost().toLowerCase(Locale.ROOT));
        } catch (java.net.URISyntaxException e) {
            return false; // "null" (a sandboxed frame, a file) and anything unreadable
        }
    }

    /** The name in a Host header, without its port: "localhost:8080" -> "localhost", "[::1]:80" -> "[::1]". */
    static String hostName(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static String describe(String value) {
        if (value == null) {
            return "(none)";
        }
        String v = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "\"" + v + "\"";
    }
}
