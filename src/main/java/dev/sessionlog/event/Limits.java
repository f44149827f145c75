package dev.sessionlog.event;

/**
 * The contract's size limits. Events per request is 100: the most a single DynamoDB
 * transaction can write, which is what makes a batch all-or-nothing.
 */
public record Limits(int maxEventsPerRequest, int maxEventBytes, int maxRequestBytes) {

    public static final int MAX_EVENTS = 100;
    public static final int MAX_EVENT_BYTES = 1024 * 1024;
    /**
     * 5 MiB of JSON: API Gateway hands the body to Lambda escaped inside its event, and Lambda's
     * synchronous payload limit is 6 MB, so a request of 6 MB of JSON could never reach the function.
     */
    public static final int MAX_REQUEST_BYTES = 5 * 1024 * 1024;
    /** An event's type is a name, not a payload: it is on every item and in indexes. */
    public static final int MAX_TYPE_LENGTH = 256;
    /**
     * Forks of forks, at most this many levels: a fork's reads go through each level and its appends
     * look its ids up in each, and its lineage is on every item it writes.
     */
    public static final int MAX_FORK_DEPTH = 16;

    public static Limits defaults() {
        return new Limits(MAX_EVENTS, MAX_EVENT_BYTES, MAX_REQUEST_BYTES);
    }
}
