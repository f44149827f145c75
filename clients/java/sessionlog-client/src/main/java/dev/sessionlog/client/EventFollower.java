package dev.sessionlog.client;

import java.util.Iterator;
import java.util.stream.Stream;

/**
 * A session's events as they come: {@link #next()} blocks until there is one. It ends (hasNext
 * false) only when closed; a session erased meanwhile, or a service absent past the follower's
 * patience, surfaces as the exception of {@code hasNext}/{@code next}. {@link #lastSeq()} is where a
 * new follower would resume.
 */
public interface EventFollower extends Iterator<EventRecord>, AutoCloseable {
  /** The seq of the last event handed out (or the starting {@code afterSeq}). */
  long lastSeq();

  /** The events as a stream (endless until closed). */
  Stream<EventRecord> stream();

  /** Stops following; a blocked {@code hasNext} returns false after its current wait. */
  @Override
  void close();
}
