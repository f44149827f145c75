package dev.sessionlog.client;

import java.util.regex.Pattern;

/** The API's id rule: session and event ids are 1 to 128 characters of {@code A-Z a-z 0-9 . _ : -}. */
public final class Ids {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private Ids() {}

  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** Returns the id, or throws an {@link IllegalArgumentException} naming the argument. */
  public static String require(String id, String argumentName) {
    if (id == null) {
      throw new IllegalArgumentException(argumentName + " must not be null");
    }
    if (!isValid(id)) {
      throw new IllegalArgumentException(
          argumentName + " must be 1 to 128 characters of A-Z a-z 0-9 . _ : -, was \"" + id + "\"");
    }
    return id;
  }
}
