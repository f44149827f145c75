package dev.sessionlog.client;

import java.time.Duration;

/**
 * How a {@link SessionProducer} batches: it sends what has gathered once the oldest event has
 * waited {@code linger}, or at once when {@code maxBatchEvents} or {@code maxBatchBytes} are reached.
 */
public record ProducerOptions(Duration linger, int maxBatchEvents, int maxBatchBytes) {
  public ProducerOptions {
    if (linger == null || linger.isNegative()) {
      throw new IllegalArgumentException("linger must be zero or positive");
    }
    if (maxBatchEvents < 1 || maxBatchEvents > SessionlogClient.MAX_EVENTS_PER_REQUEST) {
      throw new IllegalArgumentException("maxBatchEvents must be from 1 to 100, was " + maxBatchEvents);
    }
    if (maxBatchBytes < 1024 || maxBatchBytes > SessionlogClient.MAX_REQUEST_BYTES) {
      throw new IllegalArgumentException(
          "maxBatchBytes must be from 1024 to " + SessionlogClient.MAX_REQUEST_BYTES + ", was " + maxBatchBytes);
    }
  }

  /** 50 ms linger, 100 events, just under the 5 MiB request limit. */
  public static ProducerOptions defaults() {
    return new ProducerOptions(Duration.ofMillis(50), SessionlogClient.MAX_EVENTS_PER_REQUEST, SessionlogClient.MAX_REQUEST_BYTES);
  }

  public ProducerOptions withLinger(Duration linger) {
    return new ProducerOptions(linger, maxBatchEvents, maxBatchBytes);
  }

  public ProducerOptions withMaxBatchEvents(int events) {
    return new ProducerOptions(linger, events, maxBatchBytes);
  }
}
