package dev.sessionlog.observe;

import org.jboss.logging.MDC;

/** The fields every log line of a request carries, put once where the request is known. */
public final class RequestLog {

    private RequestLog() {
    }

    public static void start(String requestId, String tenant, String sessionId) {
        MDC.clear();
        put("request_id", requestId);
        put("tenant", tenant);
        put("session_id", sessionId);
    }

    public static void put(String field, Object value) {
        if (value != null) {
            MDC.put(field, String.valueOf(value));
        }
    }

    public static void end() {
        MDC.clear();
    }
}
