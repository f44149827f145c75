package dev.sessionlog.event;

import java.util.regex.Pattern;

/** The contract's rule for session, event and tenant ids: 1 to 128 of A-Z a-z 0-9 . _ : - */
public final class Ids {

    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_LENGTH + "}");

    private Ids() {
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** Why {@code id} is not valid, for a 400 message that names {@code field}; null when it is. */
    public static String problem(String field, String id) {
        if (id == null || id.isEmpty()) {
            return field + " must be 1 to " + MAX_LENGTH + " characters, was empty";
        }
        if (id.length() > MAX_LENGTH) {
            return field + " must be 1 to " + MAX_LENGTH + " characters, was " + id.length();
        }
        if (!VALID.matcher(id).matches()) {
            return field + " may contain only A-Z a-z 0-9 . _ : - (was \"" + abbreviate(id) + "\")";
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
