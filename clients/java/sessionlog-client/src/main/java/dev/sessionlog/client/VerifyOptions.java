package dev.sessionlog.client;

/** One verify call's range ({@code fromSeq} default 1, {@code throughSeq} default the head) and an optional receipt. */
public final class VerifyOptions {
  private Long fromSeq;
  private Long throughSeq;
  private Receipt receipt;

  public static VerifyOptions wholeSession() {
    return new VerifyOptions();
  }

  public VerifyOptions fromSeq(long seq) {
    if (seq < 1) {
      throw new IllegalArgumentException("fromSeq must be at least 1, was " + seq);
    }
    this.fromSeq = seq;
    return this;
  }

  public VerifyOptions throughSeq(long seq) {
    if (seq < 1) {
      throw new IllegalArgumentException("throughSeq must be at least 1, was " + seq);
    }
    this.throughSeq = seq;
    return this;
  }

  public VerifyOptions receipt(Receipt receipt) {
    if (receipt == null) {
      throw new IllegalArgumentException("receipt must not be null");
    }
    if (receipt.seq() < 1 || receipt.chain() == null || !receipt.chain().matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("receipt must have a seq of at least 1 and a chain of 64 lowercase hex digits");
    }
    this.receipt = receipt;
    return this;
  }

  public Long fromSeq() {
    return fromSeq;
  }

  public Long throughSeq() {
    return throughSeq;
  }

  public Receipt receipt() {
    return receipt;
  }
}
