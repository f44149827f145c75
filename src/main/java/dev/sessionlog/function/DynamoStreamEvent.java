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
        /** Set on TTL's deletions: {"type": "Service", "principalId": "dynamodb.amazonaws.com"}. */
        @JsonProperty("userIdentity") public UserIdentity userIdentity;

        /** A deletion by DynamoDB's Time to Live, not by a client. */
        public boolean isExpiry() {
            return "REMOVE".equals(eventName) && userIdentity != null && "Service".equals(userIdentity.type)
                    && "dynamodb.amazonaws.com".equals(userIdentity.principalId);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class UserIdentity {
        @JsonProperty("type") public String type;
        @JsonProperty("principalId") public String principalId;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class StreamData {
        @JsonProperty("SequenceNumber") public String sequenceNumber;
        @JsonProperty("Keys") public JsonNode keys;
        @JsonProperty("NewImage") public JsonNode newImage;
        @JsonProperty("OldImage") public JsonNode oldImage;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Rebuild {
        @JsonProperty("tenant") public String tenant;
        @JsonProperty("session_id") public String sessionId;
    }
}
