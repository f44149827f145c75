package dev.sessionlog.log;

/**
 * Where event bodies too large for a DynamoDB item are kept. Each write gets a key of its own
 * (session, event id and a nonce), so that an append that fails can remove exactly what it wrote
 * without touching what a concurrent retry of the same request stored, and so that the owner of any
 * object can be looked up from its key (see {@link #owner}).
 */
public interface PayloadStore {

    /** Stores the body and returns the key that {@link #get} takes. */
    String put(StreamKey key, String eventId, byte[] body);

    byte[] get(String objectKey);

    /** Removes an object no item refers to (best effort: the janitor finds what this misses). */
    void delete(String objectKey);

    /** Every payload object of a session (the objects of archived, erased or failed events included). */
    java.util.List<String> keys(StreamKey key);

    /** The session and event an object key was written for, or null when it is not a payload key. */
    Owner owner(String objectKey);

    record Owner(StreamKey key, String eventId) {
    }
}
