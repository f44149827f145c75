package dev.sessionlog.client;

import java.util.List;

/**
 * What to read: {@code after(seq)} oldest first (default from the start), or {@code newestFirst()}
 * optionally {@code before(seq)}; {@code types(...)} filters, {@code limit(n)} (1 to 1000) sizes a
 * page; {@code waitSeconds(n)} (1 to 20, ascending only) holds the answer until an event arrives.
 */
public final class ReadOptions {
  private Long afterSeq;
  private Long beforeSeq;
  private Order order = Order.ASC;
  private List<String> types = List.of();
  private Integer limit;
  private Integer waitSeconds;

  public static ReadOptions fromStart() {
    return new ReadOptions();
  }

  public static ReadOptions after(long seq) {
    return new ReadOptions().afterSeq(seq);
  }

  public static ReadOptions newestFirst() {
    return new ReadOptions().order(Order.DESC);
  }

  public ReadOptions afterSeq(long seq) {
    if (seq < 0) {
      throw new IllegalArgumentException("afterSeq must be at least 0, was " + seq);
    }
    this.afterSeq = seq;
    return this;
  }

  public ReadOptions beforeSeq(long seq) {
    if (seq < 1) {
      throw new IllegalArgumentException("beforeSeq must be at least 1, was " + seq);
    }
    this.beforeSeq = seq;
    return this;
  }

  public ReadOptions order(Order order) {
    if (order == null) {
      throw new IllegalArgumentException("order must not be null");
    }
    this.order = order;
    return this;
  }

  public ReadOptions types(String... types) {
    return types(List.of(types));
  }

  public ReadOptions types(List<String> types) {
    if (types.size() > 20) {
      throw new IllegalArgumentException("types holds " + types.size() + " names; at most 20 may be filtered on");
    }
    for (String type : types) {
      if (type == null || type.isEmpty() || type.length() > 256 || type.contains(",")) {
        throw new IllegalArgumentException(
            "types: each name must be 1 to 256 characters without a comma, was \"" + type + "\"");
      }
    }
    this.types = List.copyOf(types);
    return this;
  }

  public ReadOptions limit(int limit) {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be from 1 to 1000, was " + limit);
    }
    this.limit = limit;
    return this;
  }

  public ReadOptions waitSeconds(int seconds) {
    if (seconds < 1 || seconds > 20) {
      throw new IllegalArgumentException("waitSeconds must be from 1 to 20, was " + seconds);
    }
    this.waitSeconds = seconds;
    return this;
  }

  public Long afterSeq() {
    return afterSeq;
  }

  public Long beforeSeq() {
    return beforeSeq;
  }

  public Order order() {
    return order;
  }

  public List<String> types() {
    return types;
  }

  public Integer limit() {
    return limit;
  }

  public Integer waitSeconds() {
    return waitSeconds;
  }

  ReadOptions copy() {
    ReadOptions copy = new ReadOptions();
    copy.afterSeq = afterSeq;
    copy.beforeSeq = beforeSeq;
    copy.order = order;
    copy.types = types;
    copy.limit = limit;
    copy.waitSeconds = waitSeconds;
    return copy;
  }

  void check() {
    if (order == Order.DESC && afterSeq != null) {
      throw new IllegalArgumentException("afterSeq is for ascending reads; use beforeSeq with newest first");
    }
    if (order == Order.ASC && beforeSeq != null) {
      throw new IllegalArgumentException("beforeSeq is for newest-first reads; use afterSeq with ascending ones");
    }
    if (order == Order.DESC && waitSeconds != null) {
      throw new IllegalArgumentException("waitSeconds is for ascending reads only");
    }
  }
}
