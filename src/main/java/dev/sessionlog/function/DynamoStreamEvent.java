package dev.sessionlog.function;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The Lambda event of a DynamoDB stream (what the event source mapping delivers), or a rebuild
 * request {@code {"rebuild":{"tenant":"...","session_id":"..."}}} sent with {@code aws lambda invoke}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class DynamoStreamEvent {
    @JsonProperty("Records") public List<Record> records = new ArrayList<>();
    @JsonProperty("rebuild") public Rebuild rebuild;

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Record {
        @JsonProperty("eventID") public String eventId;
        @JsonProperty("eventName") public String eventName;
        @JsonProperty("dynamodb") public StreamData dynamodb;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class StreamData {
        @JsonProperty("SequenceNumber") public String sequenceNumber;
        @JsonProperty("Keys") public JsonNode keys;
        @JsonProperty("NewImage") public JsonNode newImage;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Rebuild {
        @JsonProperty("tenant") public String tenant;
        @JsonProperty("session_id") public String sessionId;
    }
}
