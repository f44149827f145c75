package dev.sessionlog.log.s3;

import dev.sessionlog.log.PayloadStore;
import dev.sessionlog.log.StreamKey;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/** Large event bodies as S3 objects under {prefix}payloads/tenant=../session=../{event_id}/{nonce}.json. */
public final class S3PayloadStore implements PayloadStore {

    private static final Pattern KEY = Pattern.compile("payloads/tenant=([^/]+)/session=([^/]+)/([^/]+)/[^/]+\\.json$");

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3PayloadStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /** Where a session's payloads live: what erasure and the janitor list. */
    public static String sessionPrefix(String prefix, StreamKey key) {
        return prefix + "payloads/tenant=" + StreamKey.encodeTenant(key.tenant()) + "/session=" + key.sessionId() + "/";
    }

    @Override
    public String put(StreamKey key, String eventId, byte[] body) {
        String objectKey = sessionPrefix(prefix, key) + eventId + "/" + UUID.randomUUID() + ".json";
        s3.putObject(b -> b.bucket(bucket).key(objectKey).contentType("application/json"), RequestBody.fromBytes(body));
        return objectKey;
    }

    @Override
    public byte[] get(String objectKey) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(objectKey)).asByteArray();
    }

    @Override
    public void delete(String objectKey) {
        s3.deleteObject(b -> b.bucket(bucket).key(objectKey));
    }

    @Override
    public List<String> keys(StreamKey key) {
        String sessionPrefix = sessionPrefix(prefix, key);
        List<String> keys = new ArrayList<>();
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(sessionPrefix))) {
            page.contents().forEach(o -> keys.add(o.key()));
        }
        return keys;
    }

    @Override
    public Owner owner(String objectKey) {
        if (!objectKey.startsWith(prefix)) {
            return null;
        }
        Matcher m = KEY.matcher(objectKey.substring(prefix.length()));
        if (!m.matches()) {
            return null;
        }
        return new Owner(new StreamKey(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8), m.group(2)), m.group(3));
    }
}
