package dev.sessionlog.client;

import java.net.URI;

/**
 * Sees what the client sends and receives, for metrics and cost accounting (bytes appended, events
 * read). Called on the requesting thread; keep it quick.
 */
public interface RequestObserver {
  /** One request, after its last attempt: the body's bytes as sent, the final status (0 when no answer). */
  default void onRequest(String method, URI uri, int requestBytes, int status, int attempts) {}

  /** A page of events read from a session: how many events it held. */
  default void onEventsRead(String sessionId, int events) {}
}
