package dev.sessionlog.chain;

import dev.sessionlog.log.StreamKey;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The name of a session where ids must not be read: lowercase hex HMAC-SHA256 of its key
 * ("{encoded tenant}#{session id}") under the stack's secret (CHECKPOINT_KEY). A plain hash of an id
 * is reversed by hashing likely ids (e-mail addresses); a keyed one is not, without the secret.
 */
public final class SessionNames {

    /** The shortest secret taken: 128 bits of a generated string's characters at the least. */
    public static final int MIN_SECRET_LENGTH = 16;

    private final SecretKeySpec key;

    public SessionNames(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("CHECKPOINT_KEY must be a secret of at least " + MIN_SECRET_LENGTH
                    + " characters (template.yaml generates one in Secrets Manager)");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String of(StreamKey session) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(session.pk().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }
}
