package dev.sessionlog.client.internal;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazy iterator over the items of cursor-paged answers: a page is fetched only when the items
 * before it were consumed, and paging ends when the cursor is null.
 */
public final class Pages<C, P, T> implements Iterator<T> {
  /** One page fetched with a cursor: its items and the next cursor (null at the end). */
  public record Page<C, T>(List<T> items, C next) {}

  private final Function<C, Page<C, T>> fetch;
  private C cursor;
  private boolean started;
  private boolean done;
  private Iterator<T> current = List.<T>of().iterator();

  private Pages(C first, Function<C, Page<C, T>> fetch) {
    this.cursor = first;
    this.fetch = fetch;
  }

  public static <C, T> Iterator<T> iterator(C first, Function<C, Page<C, T>> fetch) {
    return new Pages<C, Object, T>(first, fetch);
  }

  public static <C, T> Stream<T> stream(C first, Function<C, Page<C, T>> fetch) {
    Iterator<T> iterator = iterator(first, fetch);
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  @Override
  public boolean hasNext() {
    while (!current.hasNext()) {
      if (done || (started && cursor == null)) {
        done = true;
        return false;
      }
      started = true;
      Page<C, T> page = fetch.apply(cursor);
      current = page.items().iterator();
      cursor = page.next();
      if (cursor == null && !current.hasNext()) {
        done = true;
        return false;
      }
    }
    return true;
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }
}
