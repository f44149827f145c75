package dev.sessionlog.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error that the API answers with its status and {@code {"error":{"code","message",...}}}. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details = new LinkedHashMap<>();

    public ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public static ApiException sessionNotFound(String sessionId) {
        return new ApiException(404, "session_not_found", "no session \"" + sessionId + "\"");
    }

    public static ApiException invalid(String message) {
        return new ApiException(400, "invalid_request", message);
    }

    public ApiException with(String name, Object value) {
        details.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }
}
