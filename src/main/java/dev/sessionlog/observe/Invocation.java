package dev.sessionlog.observe;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.MDC;

/**
 * What each log line of a Lambda invocation carries besides the request's own fields: whether it is
 * the function's first (cold_start) and its X-Ray trace id. Quarkus' Lambda loop puts the Lambda
 * request id in the MDC itself (AWSRequestId); the JSON log lines carry the whole MDC.
 */
public final class Invocation {

    /** Where Quarkus' Lambda loop leaves the invocation's X-Ray header (Root=...;Parent=...;Sampled=...). */
    static final String TRACE_HEADER_PROPERTY = "com.amazonaws.xray.traceHeader";
    private static final AtomicBoolean COLD = new AtomicBoolean(true);

    private Invocation() {
    }

    /** Called first by each function: marks the MDC of this invocation. */
    public static void begin() {
        MDC.put("cold_start", Boolean.toString(COLD.getAndSet(false)));
        String trace = traceId(System.getProperty(TRACE_HEADER_PROPERTY));
        if (trace != null) {
            MDC.put("xray_trace_id", trace);
        } else {
            MDC.remove("xray_trace_id");
        }
    }

    /** This invocation's fields, to hand to the threads that work for it. */
    public static java.util.Map<String, String> fields() {
        java.util.Map<String, String> fields = new java.util.HashMap<>();
        for (String key : KEYS) {
            Object value = MDC.get(key);
            if (value != null) {
                fields.put(key, value.toString());
            }
        }
        return fields;
    }

    /** Takes on an invocation's fields on a worker thread (a pool thread keeps what an older one left). */
    public static void adopt(java.util.Map<String, String> fields) {
        for (String key : KEYS) {
            String value = fields.get(key);
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }

    private static final String[] KEYS = {"AWSRequestId", "cold_start", "xray_trace_id"};

    /** The Root of an X-Ray trace header, or null. */
    static String traceId(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            if (part.startsWith("Root=")) {
                return part.substring("Root=".length());
            }
        }
        return null;
    }
}
