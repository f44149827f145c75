package dev.sessionlog.log;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One tenant's session: the partition of the log. The tenant is percent-encoded in keys so that
 * no tenant value (an e-mail, a URL) can collide with the {@code #} separator or another tenant.
 */
public record StreamKey(String tenant, String sessionId) {

    public StreamKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(sessionId, "sessionId");
    }

    /** The events table's partition key. */
    public String pk() {
        return encodeTenant(tenant) + "#" + sessionId;
    }

    public static StreamKey fromPk(String pk) {
        int hash = pk.indexOf('#');
        return new StreamKey(URLDecoder.decode(pk.substring(0, hash), StandardCharsets.UTF_8), pk.substring(hash + 1));
    }

    /** A parent's session as records keep it: null when it is the record's own session. */
    public static String otherSession(StreamKey own, String parentSessionId) {
        return own.sessionId().equals(parentSessionId) ? null : parentSessionId;
    }

    public static String encodeTenant(String tenant) {
        return URLEncoder.encode(tenant, StandardCharsets.UTF_8);
    }
}
