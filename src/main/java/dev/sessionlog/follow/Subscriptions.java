package dev.sessionlog.follow;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * Who follows what: one item per connection, under its {@link FollowTopic}'s key, expiring (TTL) when
 * API Gateway would have closed the connection anyway ({@link #LIFETIME}). The fan-out reads a
 * topic's subscriptions with a consistent Query, so a connection opened before an event's record
 * is handled gets that event.
 */
public final class Subscriptions {

    /** API Gateway closes a WebSocket connection after 2 hours; a few minutes more for clocks and TTL's own lag. */
    public static final Duration LIFETIME = Duration.ofHours(2).plusMinutes(5);

    /** A follower's connection. */
    public record Subscription(String connectionId, Instant connectedAt) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public Subscriptions(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    public void add(FollowTopic topic, String connectionId) {
        Instant now = clock.instant();
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                        FollowItems.KEY, AttributeValue.fromS(topic.key()),
                        FollowItems.ID, AttributeValue.fromS(connectionId),
                        FollowItems.CONNECTED_AT, AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                        FollowItems.EXPIRES_AT, AttributeValue.fromN(Long.toString(now.plus(LIFETIME).getEpochSecond()))))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }

    /** The topic's live subscriptions (those TTL has not yet deleted but whose time is up are left out). */
    public List<Subscription> of(FollowTopic topic) {
        List<Subscription> found = new ArrayList<>();
        long now = clock.instant().getEpochSecond();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("#k = :k").expressionAttributeNames(Map.of("#k", FollowItems.KEY))
                    .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(topic.key())))
                    .exclusiveStartKey(from).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build());
            for (Map<String, AttributeValue> item : page.items()) {
                if (Long.parseLong(item.get(FollowItems.EXPIRES_AT).n()) > now) {
                    found.add(new Subscription(item.get(FollowItems.ID).s(),
                            Instant.ofEpochMilli(Long.parseLong(item.get(FollowItems.CONNECTED_AT).n()))));
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return found;
    }

    public void remove(FollowTopic topic, String connectionId) {
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of(FollowItems.KEY, AttributeValue.fromS(topic.key()),
                FollowItems.ID, AttributeValue.fromS(connectionId))).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    }
}
