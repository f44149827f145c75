package dev.sessionlog.event;

/**
 * The contract's size limits. Events per request is 100: the most a single DynamoDB
 * transaction can write, which is what makes a batch all-or-nothing.
 */
public record Limits(int maxEventsPerRequest, int maxEventBytes, int maxRequestBytes) {

    public static final int MAX_EVENTS = 100;
    public static final int MAX_EVENT_BYTES = 1024 * 1024;
    /** Lambda's synchronous payload limit (6 MB). */
    public static final int MAX_REQUEST_BYTES = 6 * 1024 * 1024;

    public static Limits defaults() {
        return new Limits(MAX_EVENTS, MAX_EVENT_BYTES, MAX_REQUEST_BYTES);
    }
}
