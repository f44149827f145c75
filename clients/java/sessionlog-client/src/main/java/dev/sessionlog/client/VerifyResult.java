package dev.sessionlog.client;

/**
 * The result of verifying the hash chain. {@code ok} false names {@code firstBadSeq} and the
 * {@code problem}; with a receipt, {@code receiptOk} says whether the chain at {@code receiptSeq}
 * equals it (null when the check did not reach it). {@code nextFromSeq} continues a range past the
 * per-call limit (null when done).
 */
public record VerifyResult(
    String sessionId,
    long fromSeq,
    long throughSeq,
    String chain,
    boolean ok,
    Long firstBadSeq,
    String problem,
    Long unchainedThroughSeq,
    Long nextFromSeq,
    Long receiptSeq,
    Boolean receiptOk) {}
