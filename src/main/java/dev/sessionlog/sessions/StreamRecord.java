package dev.sessionlog.sessions;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** One record of the events table's stream: its sequence number, INSERT/MODIFY/REMOVE, the new item. */
public record StreamRecord(String sequenceNumber, String eventName, Map<String, AttributeValue> newImage) {
}
