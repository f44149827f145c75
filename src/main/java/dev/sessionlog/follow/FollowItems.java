package dev.sessionlog.follow;

/**
 * The follow table's attributes. A subscription is keyed by its {@link FollowTopic} and the connection id;
 * a ticket by the hash of its token. Both expire by TTL ({@link #EXPIRES_AT}).
 */
public final class FollowItems {

    public static final String KEY = "key";
    public static final String ID = "id";
    /** A ticket's {@link FollowTopic}. */
    public static final String TOPIC = "topic";
    /** Epoch millis: the ticket's end, checked when it is redeemed (TTL deletes late). */
    public static final String VALID_UNTIL = "valid_until";
    /** Epoch millis: when the subscription's connection was opened. */
    public static final String CONNECTED_AT = "connected_at";
    /** Epoch seconds: DynamoDB's TTL attribute. */
    public static final String EXPIRES_AT = "expires_at";

    private FollowItems() {
    }
}
