package dev.sessionlog.log.dynamo;

import dev.sessionlog.chain.ChainHash;
import dev.sessionlog.log.StreamKey;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What is left of an erased session: one item keyed by a hash of (tenant, session id), which keeps
 * the id from being used again and keeps late stream records, replays and the archiver from bringing
 * anything back, and names neither.
 */
public final class Tombstones {

    static final String PREFIX = "#erased/";
    public static final String ERASED_AT = "erased_at";
    public static final String LAST_CHAIN = "last_chain";
    public static final String LAST_SEQ = "last_seq";

    private Tombstones() {
    }

    /** The hash that names an erased session: lowercase hex SHA-256 of "{encoded tenant}#{session id}". */
    public static String hash(StreamKey key) {
        return ChainHash.sha256Hex(key.pk().getBytes(StandardCharsets.UTF_8));
    }

    public static Map<String, AttributeValue> key(StreamKey session) {
        return Map.of(EventItems.PK, AttributeValue.fromS(PREFIX + hash(session)), EventItems.SEQ, AttributeValue.fromN("0"));
    }
}
