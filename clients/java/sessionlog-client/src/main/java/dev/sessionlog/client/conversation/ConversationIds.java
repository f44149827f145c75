package dev.sessionlog.client.conversation;

import dev.sessionlog.client.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * How a framework's conversation id becomes a session id (the same rules in every sessionlog client):
 * <ul>
 *   <li>{@code base(c) = c} when {@code c} is a valid session id that does not start with {@code _sl.};
 *   <li>else {@code "_sl.x." + base32(UTF-8 of c)} (RFC 4648, lowercase, no padding) when that fits 128 characters;
 *   <li>else {@code "_sl.h." + hex(SHA-256(UTF-8 of c))} (the original id is in the session's first event).
 * </ul>
 * Generation n >= 2 of a conversation is {@code derived("_sl.g" + n + ".", base(c))}, its generation
 * pointer {@code derived("_sl.p.", base(c))}, where {@code derived(prefix, b)} is {@code prefix + b}
 * when that fits, else {@code prefix + "h." + hex(SHA-256(b))}. Ids kept as they are never start with
 * {@code _sl.} and the prefixes differ, so no two conversations share a session.
 */
public final class ConversationIds {
  public static final String RESERVED_PREFIX = "_sl.";
  private static final int MAX = 128;
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private ConversationIds() {}

  /** The session of the conversation's first generation. */
  public static String base(String conversationId) {
    if (conversationId == null) {
      throw new IllegalArgumentException("the conversation id must not be null");
    }
    if (Ids.isValid(conversationId) && !conversationId.startsWith(RESERVED_PREFIX)) {
      return conversationId;
    }
    byte[] utf8 = conversationId.getBytes(StandardCharsets.UTF_8);
    String encoded = RESERVED_PREFIX + "x." + base32(utf8);
    return encoded.length() <= MAX ? encoded : RESERVED_PREFIX + "h." + sha256Hex(utf8);
  }

  /** The session of generation {@code n} (1 is {@link #base}). */
  public static String generation(String conversationId, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("generation must be at least 1, was " + n);
    }
    String base = base(conversationId);
    return n == 1 ? base : derived(RESERVED_PREFIX + "g" + n + ".", base);
  }

  /** The session whose last event names the conversation's current generation. */
  public static String pointer(String conversationId) {
    return derived(RESERVED_PREFIX + "p.", base(conversationId));
  }

  public static String derived(String prefix, String b) {
    String id = prefix + b;
    return id.length() <= MAX ? id : prefix + "h." + sha256Hex(b.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The conversation id a first-generation session id stands for, when the id alone says it (kept
   * as is, or base32); empty for hashed ids (read the session's ConversationStart) and for ids of
   * other sessions (generations, pointers, registries).
   */
  public static Optional<String> decode(String sessionId) {
    if (!sessionId.startsWith(RESERVED_PREFIX)) {
      return Optional.of(sessionId);
    }
    if (sessionId.startsWith(RESERVED_PREFIX + "x.")) {
      return Optional.of(new String(unbase32(sessionId.substring(6)), StandardCharsets.UTF_8));
    }
    return Optional.empty();
  }

  /**
   * An event id for a framework's own id (ADK's event ids): kept when valid and not reserved, else
   * mapped as conversation ids are. Stable, so a retried append carries the same id.
   */
  public static String eventId(String frameworkId) {
    return base(frameworkId);
  }

  public static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32[(buffer >> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32[(buffer << (5 - bits)) & 31]);
    }
    return out.toString();
  }

  static byte[] unbase32(String text) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (char c : text.toCharArray()) {
      int value = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
      if (value < 0) {
        throw new IllegalArgumentException("not base32: " + text);
      }
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java", e);
    }
  }
}
