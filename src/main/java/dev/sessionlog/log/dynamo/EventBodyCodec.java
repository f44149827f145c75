package dev.sessionlog.log.dynamo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.PayloadStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How an event's JSON sits in its item. DynamoDB bills writes per KB, so bodies over
 * {@value #GZIP_FROM_BYTES} bytes are stored gzip-compressed; a body that is still too big for
 * an item after compression goes to the {@link PayloadStore} and the item keeps its key.
 */
public final class EventBodyCodec {

    static final String BODY = "body";
    static final String BODY_GZ = "body_gz";
    public static final String BODY_REF = "body_ref";
    static final int GZIP_FROM_BYTES = 1024;
    /**
     * Compressed bodies above this go to S3. An item could hold 350 KB, but every read of the item
     * (a page, the head read of each append) pays for all of it: 64 KiB caps that at 16 read units,
     * and an S3 PUT ($0.005 per 1,000) is cheaper than the 64 write units it replaces.
     */
    static final int MAX_INLINE_BYTES = 64 * 1024;
    /**
     * No body smaller than this is ever in S3: one goes there when its gzip is over 64 KiB, or as one
     * of the largest of a batch over 3.5 MB (100 events at most: each of those is over 35,000 bytes).
     */
    public static final int MIN_REFERENCED_BYTES = 32 * 1024;

    private EventBodyCodec() {
    }

    /** The attribute that holds {@code body} inline, or null when it is too big for an item. */
    static Map.Entry<String, AttributeValue> inline(byte[] body) {
        if (body.length < GZIP_FROM_BYTES) {
            return Map.entry(BODY, AttributeValue.fromS(new String(body, StandardCharsets.UTF_8)));
        }
        byte[] gz = gzip(body);
        if (gz.length > MAX_INLINE_BYTES) {
            return null;
        }
        return Map.entry(BODY_GZ, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(gz)));
    }

    static Map.Entry<String, AttributeValue> reference(String objectKey) {
        return Map.entry(BODY_REF, AttributeValue.fromS(objectKey));
    }

    /** The event's JSON text of an item whose body is inline (plain or gzipped). */
    static String inlineText(Map<String, AttributeValue> item) {
        AttributeValue body = item.get(BODY);
        if (body != null) {
            return body.s();
        }
        AttributeValue gz = item.get(BODY_GZ);
        if (gz == null) {
            throw new IllegalArgumentException("the event's body is not inline: " + item.get("pk") + "/" + item.get("seq"));
        }
        return new String(gunzip(gz.b().asByteArrayUnsafe()), StandardCharsets.UTF_8);
    }

    static int size(Map.Entry<String, AttributeValue> attribute) {
        AttributeValue v = attribute.getValue();
        return v.s() != null ? v.s().length() : v.b().asByteArrayUnsafe().length;
    }

    static JsonNode decode(Map<String, AttributeValue> item, PayloadStore payloads) {
        AttributeValue body = item.get(BODY);
        if (body != null) {
            return Json.parse(body.s().getBytes(StandardCharsets.UTF_8));
        }
        AttributeValue gz = item.get(BODY_GZ);
        if (gz != null) {
            return Json.parse(gunzip(gz.b().asByteArrayUnsafe()));
        }
        AttributeValue ref = item.get(BODY_REF);
        if (ref != null) {
            return Json.parse(payloads.get(ref.s()));
        }
        throw new IllegalStateException("event item has no body: " + item.get("pk") + "/" + item.get("seq"));
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] gunzip(byte[] bytes) {
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return gz.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
