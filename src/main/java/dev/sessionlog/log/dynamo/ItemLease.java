package dev.sessionlog.log.dynamo;

import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * A run's lease on one item, held in two of its attributes (until when, and whose): taken when it is
 * free, lapsed or already this owner's, so that a take whose answer was lost and that the SDK retried
 * finds it ours and succeeds too. The archive's and the erasure's leases are both this.
 */
public record ItemLease(String untilAttribute, String ownerAttribute) {

    /**
     * @param precondition a condition the item must meet as well, ending in " AND " (or empty)
     * @return false when another owner holds an unexpired lease, or the precondition fails
     */
    public boolean take(DynamoDbClient dynamo, String table, Map<String, AttributeValue> key, String precondition,
                        Instant now, Instant until, String owner) {
        return takeReading(dynamo, table, key, precondition, now, until, owner) != null;
    }

    /**
     * Takes the lease as {@link #take} does, and answers the item as it was before (the previous
     * owner's attributes included), or null when the lease was not taken. Reading it this way costs
     * no read unit.
     */
    public Map<String, AttributeValue> takeReading(DynamoDbClient dynamo, String table, Map<String, AttributeValue> key,
                                                   String precondition, Instant now, Instant until, String owner) {
        try {
            return dynamo.updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("SET " + untilAttribute + " = :until, " + ownerAttribute + " = :o")
                    .conditionExpression(precondition + "(attribute_not_exists(" + untilAttribute + ") OR "
                            + untilAttribute + " < :now OR " + ownerAttribute + " = :o)")
                    .expressionAttributeValues(Map.of(":until", AttributeValue.fromN(Long.toString(until.toEpochMilli())),
                            ":now", AttributeValue.fromN(Long.toString(now.toEpochMilli())), ":o", AttributeValue.fromS(owner)))
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).attributes();
        } catch (ConditionalCheckFailedException held) {
            return null;
        }
    }
}
