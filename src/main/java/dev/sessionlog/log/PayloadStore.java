package dev.sessionlog.log;

/**
 * Where event bodies too large for a DynamoDB item are kept. Keys are content addressed, so a
 * retried append writes the same object again rather than a second one.
 */
public interface PayloadStore {

    /** Stores the body and returns the key that {@link #get} takes. */
    String put(StreamKey key, byte[] body);

    byte[] get(String objectKey);
}
