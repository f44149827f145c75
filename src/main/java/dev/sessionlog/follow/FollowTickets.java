package dev.sessionlog.follow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * One-time tickets to open a follow connection. WebSocket APIs take no JWT authorizer (and browsers
 * set no header on a WebSocket), so the HTTP API's authorizer checks the caller once, when it asks to
 * follow a session; the answer names a random ticket, good for one connection within
 * {@link #LIFETIME}. The table keeps only the ticket's hash: reading the table opens nothing.
 */
public final class FollowTickets {

    /** How long a ticket may wait for its connection. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A ticket: the token the follower presents, and until when. */
    public record Ticket(String token, Instant expiresAt) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public FollowTickets(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    public Ticket issue(FollowTopic topic) {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Instant expires = clock.instant().plus(LIFETIME);
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                        FollowItems.KEY, AttributeValue.fromS(key(token)),
                        FollowItems.ID, AttributeValue.fromS("ticket"),
                        FollowItems.TOPIC, AttributeValue.fromS(topic.key()),
                        FollowItems.VALID_UNTIL, AttributeValue.fromN(Long.toString(expires.toEpochMilli())),
                        FollowItems.EXPIRES_AT, AttributeValue.fromN(Long.toString(expires.getEpochSecond() + 1))))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        return new Ticket(token, expires);
    }

    /**
     * Takes the ticket (one write that deletes it and returns what it held): what it opens, or
     * empty when there is no such ticket, it was used, or it has expired.
     */
    public Optional<FollowTopic> redeem(String token) {
        if (token == null || token.isEmpty() || token.length() > 64) {
            return Optional.empty();
        }
        Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(table)
                .key(Map.of(FollowItems.KEY, AttributeValue.fromS(key(token)), FollowItems.ID, AttributeValue.fromS("ticket")))
                .returnValues(ReturnValue.ALL_OLD).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).attributes();
        if (old == null || old.isEmpty() || Long.parseLong(old.get(FollowItems.VALID_UNTIL).n()) < clock.millis()) {
            return Optional.empty();
        }
        return Optional.of(new FollowTopic(old.get(FollowItems.TOPIC).s()));
    }

    private static String key(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "ticket#" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
