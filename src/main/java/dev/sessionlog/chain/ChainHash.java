package dev.sessionlog.chain;

import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.EventRecordJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The chain of a session: the value of seq n is the lowercase hex SHA-256 of the ASCII value of seq
 * n-1 (64 zeros before seq 1) followed by the RFC 8785 form of record n without its chain field.
 * A record whose predecessor has no chain (written before the chain existed) links to 64 zeros.
 */
public final class ChainHash {

    public static final String GENESIS = "0".repeat(64);

    private ChainHash() {
    }

    public static String next(String previous, EventRecord record) {
        MessageDigest sha = sha256();
        sha.update((previous == null ? GENESIS : previous).getBytes(StandardCharsets.US_ASCII));
        sha.update(Jcs.utf8(EventRecordJson.withoutChain(record)));
        return HexFormat.of().formatHex(sha.digest());
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
