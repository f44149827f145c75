package dev.sessionlog.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** A page of a loop's messages or turns (the list named by {@code part}); {@code nextAfter} is null at the end. */
public record LoopPartPage(
    String sessionId,
    String loopId,
    String part,
    int after,
    List<ObjectNode> messages,
    List<ObjectNode> turns,
    Integer nextAfter) {

  /** The items of this page, whichever part was asked. */
  public List<ObjectNode> items() {
    List<ObjectNode> items = "turns".equals(part) ? turns : messages;
    return items == null ? List.of() : items;
  }
}
