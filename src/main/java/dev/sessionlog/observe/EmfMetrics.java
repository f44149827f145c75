package dev.sessionlog.observe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * CloudWatch Embedded Metric Format: one JSON line on stdout per emission, which CloudWatch
 * Logs turns into metrics (namespace "sessionlog", dimension Function) with no API call.
 */
public final class EmfMetrics implements Metrics {

    public static final String NAMESPACE = "sessionlog";
    private final PrintStream out;
    private final Clock clock;

    public EmfMetrics(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public void emit(String function, Map<Metric, Number> values) {
        if (values.isEmpty()) {
            return;
        }
        out.println(Json.write(document(function, values, clock.millis())));
    }

    static ObjectNode document(String function, Map<Metric, Number> values, long timestamp) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", timestamp);
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add("Function");
        ArrayNode metrics = directive.putArray("Metrics");
        line.put("Function", function);
        values.forEach((metric, value) -> {
            metrics.addObject().put("Name", metric.name()).put("Unit", metric.unit);
            line.put(metric.name(), value.doubleValue());
        });
        return line;
    }
}
