package dev.sessionlog.client.internal;

import java.security.SecureRandom;

/**
 * UUIDv7 event ids, made client-side so that a retried request carries the same ids (and is
 * recognised as a duplicate). Monotonic within this JVM: ids made later sort later, even within one
 * millisecond, which the server's idempotency lookup rewards (one lookup per append).
 */
public final class EventIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static long lastMillis;
  private static long counter; // 12 bits of rand_a used as a counter within a millisecond

  private EventIds() {}

  public static synchronized String next() {
    long now = System.currentTimeMillis();
    if (now > lastMillis) {
      lastMillis = now;
      counter = RANDOM.nextInt(1 << 10); // leave headroom for the counter to grow within the ms
    } else {
      counter++;
      if (counter >= (1 << 12)) { // counter exhausted: borrow the next millisecond
        lastMillis++;
        counter = 0;
      }
    }
    long msb = (lastMillis << 16) | (0x7L << 12) | counter;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return format(msb, lsb);
  }

  private static String format(long msb, long lsb) {
    String hex = String.format("%016x%016x", msb, lsb);
    return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
        + hex.substring(16, 20) + "-" + hex.substring(20);
  }
}
