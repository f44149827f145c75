package dev.sessionlog.function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Quarkus boot per exported function, as each Lambda of template.yaml sets QUARKUS_FUNQY_EXPORT,
 * each also writing its log lines as production writes them (Quarkus' JSON logging, the same fields)
 * to target/function-logs/{export}.log, for the wire tests to read.
 */
final class ExportProfiles {
    private ExportProfiles() {
    }

    static Path logFile(String export) {
        return Path.of("target", "function-logs", export + ".log");
    }

    /** The JSON log lines the function wrote so far. */
    static List<JsonNode> logLines(String export) {
        try {
            return Files.readAllLines(logFile(export), StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("{"))
                    .map(l -> Json.parse(l.getBytes(StandardCharsets.UTF_8))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    abstract static class Export implements QuarkusTestProfile {
        abstract String export();

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(Map.of("quarkus.funqy.export", export(),
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", logFile(export()).toString(),
                    "quarkus.log.file.json.enabled", "true",
                    "quarkus.log.file.json.excluded-keys", "sequence,loggerClassName,hostName,processName,processId,threadId,ndc"));
            // the fields application.properties gives the console's lines on Lambda
            config.put("quarkus.log.file.json.additional-field.service.value", "sessionlog");
            config.put("quarkus.log.file.json.additional-field.function_name.value", "sessionlog-" + export());
            config.put("quarkus.log.file.json.additional-field.function_version.value", "1");
            return config;
        }
    }

    public static class Append extends Export {
        @Override
        String export() {
            return "append";
        }
    }

    public static class Query extends Export {
        @Override
        String export() {
            return "query";
        }
    }

    public static class Tail extends Export {
        @Override
        String export() {
            return "tail";
        }
    }

    public static class Record extends Export {
        @Override
        String export() {
            return "record";
        }
    }

    public static class Scheduled extends Export {
        @Override
        String export() {
            return "archive";
        }
    }

    public static class Erase extends Export {
        @Override
        String export() {
            return "erase";
        }
    }

    public static class Follow extends Export {
        @Override
        String export() {
            return "follow";
        }
    }

    public static class FanOut extends Export {
        @Override
        String export() {
            return "fanout";
        }
    }
}
