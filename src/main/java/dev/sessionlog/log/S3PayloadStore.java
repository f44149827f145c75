package dev.sessionlog.log;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Large event bodies as S3 objects under {prefix}payloads/tenant=../session=../{sha256}.json. */
public final class S3PayloadStore implements PayloadStore {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3PayloadStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    @Override
    public String put(StreamKey key, byte[] body) {
        String objectKey = prefix + "payloads/tenant=" + StreamKey.encodeTenant(key.tenant())
                + "/session=" + key.sessionId() + "/" + sha256(body) + ".json";
        s3.putObject(b -> b.bucket(bucket).key(objectKey).contentType("application/json"), RequestBody.fromBytes(body));
        return objectKey;
    }

    @Override
    public byte[] get(String objectKey) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(objectKey)).asByteArray();
    }

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
