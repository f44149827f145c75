package dev.sessionlog.observe;

import java.util.Map;

/** The product's metrics: a few named values per operation, dimensioned by function. */
public interface Metrics {

    /** Metric names and units; the values of one emission go out together. */
    enum Metric {
        EventsAppended("Count"), AppendLatency("Milliseconds"), RecorderLag("Milliseconds"), FoldErrors("Count"),
        EventsArchived("Count"), BytesArchived("Bytes"),
        /** How far the oldest due event is past the hot window: 0 when the archiver keeps up. */
        ArchiveLag("Seconds"),
        /** Events TTL deleted before the archiver moved them, written to the archive from their stream records. */
        EventsRescued("Count");

        public final String unit;

        Metric(String unit) {
            this.unit = unit;
        }
    }

    void emit(String function, Map<Metric, Number> values);

    Metrics NONE = (function, values) -> { };
}
