package dev.sessionlog.observe;

import org.jboss.logging.MDC;

/**
 * The fields every log line of a request carries, put once where the request is known. Only these
 * are cleared between requests: the invocation's own (AWSRequestId, cold_start, xray_trace_id) stay.
 */
public final class RequestLog {

    private static final String[] FIELDS = {"request_id", "tenant", "session_id", "seq"};

    private RequestLog() {
    }

    public static void start(String requestId, String tenant, String sessionId) {
        end();
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
        for (String field : FIELDS) {
            MDC.remove(field);
        }
    }
}
