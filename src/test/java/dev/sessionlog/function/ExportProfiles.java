package dev.sessionlog.function;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** One Quarkus boot per exported function, as each Lambda of template.yaml sets QUARKUS_FUNQY_EXPORT. */
final class ExportProfiles {
    private ExportProfiles() {
    }

    public static class Query implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "query");
        }
    }

    public static class Record implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "record");
        }
    }

    public static class Scheduled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "archive");
        }
    }

    public static class Erase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "erase");
        }
    }
}
