package dev.sessionlog.sessions;

import dev.sessionlog.log.StreamKey;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Each tenant's requests per second, across every Lambda instance, at no DynamoDB write per request:
 * an instance counts its own requests of the current second and adds them to the tenant's counter
 * item (one per tenant in the sessions table) only once it has {@link #chunk} of them, learning the
 * total from the same write. A tenant below a chunk per second on an instance costs nothing; past
 * its limit, its requests are refused until the second ends. Requests an instance has not added yet
 * are carried into its next second, so every request is counted once, at most a second late; the
 * total of a second can overshoot the limit by at most a chunk per instance serving the tenant.
 */
public final class TenantRequestRate {

    /** Thrown for a request past its tenant's rate: the API answers 429 with Retry-After. */
    public static final class OverLimitException extends RuntimeException {
        OverLimitException(int limit) {
            super("this tenant is past its limit of " + limit + " requests a second; retry after a second");
        }
    }

    private static final class Second {
        long epochSecond;
        int unflushed;
        long knownTotal;
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final int perSecond;
    private final int chunk;
    private final Map<String, Second> seconds = new ConcurrentHashMap<>();

    /** @param perSecond the limit per tenant; 0: no limit (and no calls at all) */
    public TenantRequestRate(DynamoDbClient dynamo, String table, Clock clock, int perSecond) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.perSecond = perSecond;
        this.chunk = Math.max(1, perSecond / 10);
    }

    public int perSecond() {
        return perSecond;
    }

    /** Counts a request of the tenant; throws {@link OverLimitException} past its limit this second. */
    public void admit(String tenant) {
        if (perSecond <= 0) {
            return;
        }
        long now = clock.millis() / 1000;
        Second second = seconds.computeIfAbsent(tenant, t -> new Second());
        int toFlush;
        synchronized (second) {
            if (second.epochSecond != now) {
                // What was not added yet is carried into the new second, not dropped: an instance that
                // never reaches a chunk in one second still counts (a little late, never lost), so a
                // tenant spread over many instances is limited too.
                second.epochSecond = now;
                second.knownTotal = 0;
            }
            if (second.knownTotal + second.unflushed >= perSecond) {
                throw new OverLimitException(perSecond);
            }
            second.unflushed++;
            if (second.unflushed < chunk) {
                return;
            }
            toFlush = second.unflushed;
            second.unflushed = 0;
        }
        long total = add(tenant, now, toFlush);
        synchronized (second) {
            if (second.epochSecond == now) {
                second.knownTotal = Math.max(second.knownTotal, total);
            }
        }
        if (seconds.size() > 10_000) {
            seconds.clear(); // an instance serving very many tenants forgets the quiet ones
        }
    }

    /** Adds {@code n} to the tenant's count of second {@code epochSecond}; the total so far. */
    private long add(String tenant, long epochSecond, int n) {
        Map<String, AttributeValue> key = Map.of(SessionItems.PK, AttributeValue.fromS("#rate#" + StreamKey.encodeTenant(tenant)));
        AttributeValue second = AttributeValue.fromN(Long.toString(epochSecond));
        AttributeValue count = AttributeValue.fromN(Integer.toString(n));
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return Long.parseLong(dynamo.updateItem(b -> b.tableName(table).key(key).updateExpression("ADD requests :n")
                        .conditionExpression("rate_second = :s").expressionAttributeValues(Map.of(":n", count, ":s", second))
                        .returnValues(ReturnValue.UPDATED_NEW).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL))
                        .attributes().get("requests").n());
            } catch (ConditionalCheckFailedException anotherSecond) {
                try {
                    dynamo.updateItem(b -> b.tableName(table).key(key).updateExpression("SET rate_second = :s, requests = :n")
                            .conditionExpression("attribute_not_exists(rate_second) OR rate_second < :s")
                            .expressionAttributeValues(Map.of(":n", count, ":s", second))
                            .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                    return n;
                } catch (ConditionalCheckFailedException startedMeanwhile) {
                    // another instance began this second (or a later one) first: add to it
                }
            }
        }
        return 0; // the clocks of instances disagree about the second: count locally only
    }
}
