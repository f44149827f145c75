package dev.sessionlog.client.internal;

import dev.sessionlog.client.EventFollower;
import dev.sessionlog.client.EventRecord;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** A follower's hand-out side: what it has read or been pushed, in order, and the last seq handed out. */
abstract class BufferedFollower implements EventFollower {

  protected final String sessionId;
  protected final Deque<EventRecord> buffer = new ArrayDeque<>();
  private volatile long lastSeq;

  BufferedFollower(String sessionId, long afterSeq) {
    this.sessionId = sessionId;
    this.lastSeq = afterSeq;
  }

  @Override
  public synchronized EventRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the follower of " + sessionId + " is closed");
    }
    EventRecord next = buffer.removeFirst();
    lastSeq = next.seq();
    return next;
  }

  @Override
  public long lastSeq() {
    return lastSeq;
  }

  @Override
  public Stream<EventRecord> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }
}
