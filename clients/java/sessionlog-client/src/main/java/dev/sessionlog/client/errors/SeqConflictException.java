package dev.sessionlog.client.errors;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** 409 {@code seq_conflict}: the head is not the {@code expected_seq} sent; nothing was written. */
public class SeqConflictException extends SessionlogException {
  public SeqConflictException(int status, String code, String message, JsonNode error, Duration retryAfter) {
    super(status, code, message, error, retryAfter);
  }

  /** The session's head when the append was refused. */
  public long headSeq() {
    JsonNode head = error() == null ? null : error().get("head_seq");
    return head == null ? -1 : head.asLong();
  }
}
