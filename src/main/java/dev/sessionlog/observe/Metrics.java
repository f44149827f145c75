package dev.sessionlog.observe;

import java.util.Map;

/** The product's metrics: a few named values per operation, dimensioned by function. */
public interface Metrics {

    /** Metric names and units; the values of one emission go out together. */
    enum Metric {
        EventsAppended("Count"), AppendLatency("Milliseconds"), RecorderLag("Milliseconds"), FoldErrors("Count"),
        EventsArchived("Count"), BytesArchived("Bytes");

        public final String unit;

        Metric(String unit) {
            this.unit = unit;
        }
    }

    void emit(String function, Map<Metric, Number> values);

    Metrics NONE = (function, values) -> { };
}
