package dev.sessionlog.sessions;

import dev.sessionlog.log.StreamKey;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * What each tenant holds at once of one kind (waits of live tails, verify calls), counted across every
 * Lambda instance: one item per tenant and kind in the sessions table whose map {@code waiters} holds
 * each holder's id and the time it lets go at the latest. A waiter that never releases (its Lambda died) is counted only until
 * then: a full map is cleared of such waiters before a wait is refused.
 */
public final class WaitSlots {

    static final String WAITERS = "waiters";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final int maxPerTenant;
    private final String kind;

    /** The slots of live tails' waits. */
    public WaitSlots(DynamoDbClient dynamo, String table, Clock clock, int maxPerTenant) {
        this(dynamo, table, clock, maxPerTenant, "waits");
    }

    /** @param kind what is held ("waits", "verify"): each kind has its own item per tenant */
    public WaitSlots(DynamoDbClient dynamo, String table, Clock clock, int maxPerTenant, String kind) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.maxPerTenant = maxPerTenant;
        this.kind = kind;
    }

    public int maxPerTenant() {
        return maxPerTenant;
    }

    private Map<String, AttributeValue> key(String tenant) {
        return Map.of(SessionItems.PK, AttributeValue.fromS("#" + kind + "#" + StreamKey.encodeTenant(tenant)));
    }

    /** Takes a slot until {@code until}; false when the tenant has its maximum of live waits. */
    public boolean acquire(String tenant, String waiter, Instant until) {
        if (maxPerTenant <= 0) {
            return false; // waits are off
        }
        AttributeValue end = AttributeValue.fromN(Long.toString(until.toEpochMilli()));
        for (int attempt = 0; attempt < 4; attempt++) {
            try {
                dynamo.updateItem(b -> b.tableName(table).key(key(tenant)).updateExpression("SET waiters.#w = :until")
                        .conditionExpression("attribute_exists(waiters) AND size(waiters) < :max")
                        .expressionAttributeNames(Map.of("#w", waiter))
                        .expressionAttributeValues(Map.of(":until", end, ":max", AttributeValue.fromN(Integer.toString(maxPerTenant))))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                return true;
            } catch (ConditionalCheckFailedException refused) {
                Map<String, AttributeValue> item = refused.item();
                if (item == null || !item.containsKey(WAITERS)) {
                    if (startWith(tenant, waiter, end)) {
                        return true;
                    }
                } else if (!clearLapsed(tenant, item)) {
                    return false; // full of live waits
                }
            }
        }
        return false;
    }

    /** The tenant's first wait makes the map (a concurrent first wait makes it too: then look again). */
    private boolean startWith(String tenant, String waiter, AttributeValue end) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(tenant)).updateExpression("SET waiters = :one")
                    .conditionExpression("attribute_not_exists(waiters)")
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromM(Map.of(waiter, end))))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            return true;
        } catch (ConditionalCheckFailedException madeMeanwhile) {
            return false;
        }
    }

    /** Removes the waiters whose time is up; true when there were any. */
    private boolean clearLapsed(String tenant, Map<String, AttributeValue> item) {
        if (item == null || item.get(WAITERS) == null) {
            return false;
        }
        long now = clock.millis();
        Map<String, String> names = new HashMap<>();
        item.get(WAITERS).m().forEach((id, until) -> {
            if (Long.parseLong(until.n()) < now && names.size() < 100) {
                names.put("#l" + names.size(), id);
            }
        });
        if (names.isEmpty()) {
            return false;
        }
        String remove = "REMOVE " + String.join(", ", names.keySet().stream().map(n -> "waiters." + n).toList());
        dynamo.updateItem(b -> b.tableName(table).key(key(tenant)).updateExpression(remove).expressionAttributeNames(names)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        return true;
    }

    public void release(String tenant, String waiter) {
        dynamo.updateItem(b -> b.tableName(table).key(key(tenant)).updateExpression("REMOVE waiters.#w")
                .conditionExpression("attribute_exists(waiters)")
                .expressionAttributeNames(Map.of("#w", waiter)).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }
}
