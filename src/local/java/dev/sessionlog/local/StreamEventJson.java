package dev.sessionlog.local;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** DynamoDB stream records as the Lambda event that an event source mapping delivers. */
public final class StreamEventJson {

    private StreamEventJson() {
    }

    public static ObjectNode lambdaEvent(List<Record> records, String streamArn, String region) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        ArrayNode out = event.putArray("Records");
        for (Record r : records) {
            ObjectNode o = out.addObject();
            o.put("eventID", r.eventID());
            o.put("eventName", r.eventNameAsString());
            o.put("eventVersion", "1.1");
            o.put("eventSource", "aws:dynamodb");
            o.put("awsRegion", region);
            ObjectNode d = o.putObject("dynamodb");
            if (r.dynamodb().approximateCreationDateTime() != null) {
                d.put("ApproximateCreationDateTime", r.dynamodb().approximateCreationDateTime().getEpochSecond());
            }
            d.set("Keys", image(r.dynamodb().keys()));
            if (r.dynamodb().hasNewImage()) {
                d.set("NewImage", image(r.dynamodb().newImage()));
            }
            if (r.dynamodb().hasOldImage()) {
                d.set("OldImage", image(r.dynamodb().oldImage()));
            }
            d.put("SequenceNumber", r.dynamodb().sequenceNumber());
            d.put("SizeBytes", r.dynamodb().sizeBytes() == null ? 0 : r.dynamodb().sizeBytes());
            d.put("StreamViewType", r.dynamodb().streamViewTypeAsString());
            o.put("eventSourceARN", streamArn);
            if (r.userIdentity() != null) { // TTL's deletions: the DynamoDB service is the principal
                ObjectNode who = o.putObject("userIdentity");
                who.put("type", r.userIdentity().type());
                who.put("principalId", r.userIdentity().principalId());
            }
        }
        return event;
    }

    public static ObjectNode image(Map<String, AttributeValue> item) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        item.forEach((name, value) -> node.set(name, value(value)));
        return node;
    }

    static ObjectNode value(AttributeValue v) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        switch (v.type()) {
            case S -> node.put("S", v.s());
            case N -> node.put("N", v.n());
            case B -> node.put("B", Base64.getEncoder().encodeToString(v.b().asByteArrayUnsafe()));
            case BOOL -> node.put("BOOL", v.bool());
            case NUL -> node.put("NULL", true);
            case SS -> v.ss().forEach(node.putArray("SS")::add);
            case NS -> v.ns().forEach(node.putArray("NS")::add);
            case BS -> v.bs().forEach(b -> node.withArray("BS").add(Base64.getEncoder().encodeToString(b.asByteArrayUnsafe())));
            case L -> v.l().forEach(x -> node.withArray("L").add(value(x)));
            case M -> node.set("M", image(v.m()));
            default -> throw new IllegalArgumentException("unsupported attribute type " + v.type());
        }
        return node;
    }
}
