package dev.sessionlog.client;

/** The order of a read: oldest first (the default) or newest first. */
public enum Order {
  ASC,
  DESC;

  String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
