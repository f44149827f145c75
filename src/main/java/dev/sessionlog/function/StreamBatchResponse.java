package dev.sessionlog.function;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Lambda's partial batch response (ReportBatchItemFailures): the records to deliver again. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StreamBatchResponse {
    @JsonProperty("batchItemFailures") public List<ItemFailure> batchItemFailures;
    @JsonProperty("rebuilt") public RebuildResult rebuilt;

    public static class ItemFailure {
        @JsonProperty("itemIdentifier") public String itemIdentifier;

        public ItemFailure() {
        }

        public ItemFailure(String itemIdentifier) {
            this.itemIdentifier = itemIdentifier;
        }
    }

    public record RebuildResult(@JsonProperty("session_id") String sessionId,
                                @JsonProperty("recorded_through_seq") long recordedThroughSeq,
                                @JsonProperty("loop_count") int loopCount) {
    }
}
