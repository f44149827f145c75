package dev.sessionlog.function;

import io.quarkus.funqy.Funq;
import java.util.Map;

/**
 * An empty function: no AWS client, no state. Not deployed; the cold-start benchmark measures it
 * beside the real functions to separate the framework's start from sessionlog's.
 */
public class PingFunction {

    @Funq("ping")
    public Map<String, String> ping(Map<String, Object> event) {
        return Map.of("status", "ok");
    }
}
