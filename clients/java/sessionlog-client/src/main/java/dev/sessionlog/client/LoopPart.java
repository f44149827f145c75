package dev.sessionlog.client;

/** The pageable parts of a loop. */
public enum LoopPart {
  MESSAGES,
  TURNS;

  String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
