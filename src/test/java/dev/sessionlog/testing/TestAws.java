package dev.sessionlog.testing;

import dev.sessionlog.local.EmbeddedAws;
import java.util.Map;

/** The embedded stores of a test JVM and the names of the tables made from template.yaml. */
public record TestAws(EmbeddedAws embedded, Map<String, String> tables) {

    public String table(String logicalId) {
        String name = tables.get(logicalId);
        if (name == null) {
            throw new IllegalArgumentException("template.yaml has no table " + logicalId);
        }
        return name;
    }
}
