package dev.sessionlog.erase;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The recorder's failed batches as Lambda keeps them in the failure bucket: one object per batch,
 * the whole invocation record with the DynamoDB stream event as its {@code payload} (a JSON string,
 * or an object). An erasure takes its session's records out of them: an object left with no record
 * is deleted, any other is written back without them, in the form it had.
 */
public final class FailedBatches {

    /**
     * Where Lambda's S3 on-failure destination writes: aws/lambda/{mapping id}/{shard}/{yyyy}/{mm}/{dd}/{time}-{uuid}.
     * Listing only there keeps the erase function's ListBucket to that prefix.
     */
    public static final String PREFIX = "aws/lambda/";

    private final S3Client s3;
    private final String bucket;

    /** @param bucket the failure bucket; empty: there is none (nothing to scrub) */
    public FailedBatches(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket == null ? "" : bucket;
    }

    /** Removes the session's stream records from every failed batch; returns how many objects changed. */
    public int scrub(StreamKey session) {
        if (bucket.isEmpty()) {
            return 0;
        }
        int changed = 0;
        // Failed batches are rare (each one fired an alarm): the bucket is read whole.
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(PREFIX)).contents()) {
            if (scrub(object.key(), session.pk())) {
                changed++;
            }
        }
        return changed;
    }

    private boolean scrub(String key, String pk) {
        // An S3 failure propagates: the erasure stays marked and the next run scrubs again.
        byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        JsonNode record;
        try {
            record = Json.parse(bytes);
        } catch (RuntimeException notJson) {
            return false; // not an invocation record: nothing of ours
        }
        JsonNode payloadNode = record.get("payload");
        if (!(record instanceof ObjectNode invocation) || payloadNode == null) {
            return false;
        }
        boolean asText = payloadNode.isTextual();
        JsonNode payload;
        try {
            payload = asText ? Json.parse(payloadNode.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)) : payloadNode;
        } catch (RuntimeException notJson) {
            return false;
        }
        if (!(payload instanceof ObjectNode event) || !(payload.get("Records") instanceof ArrayNode records)) {
            return false;
        }
        ArrayNode kept = Json.MAPPER.createArrayNode();
        records.forEach(r -> {
            if (!pk.equals(r.path("dynamodb").path("Keys").path("pk").path("S").asText(null))) {
                kept.add(r);
            }
        });
        if (kept.size() == records.size()) {
            return false;
        }
        if (kept.isEmpty()) {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
            return true;
        }
        event.set("Records", kept);
        if (asText) {
            invocation.put("payload", Json.write(event));
        } else {
            invocation.set("payload", event);
        }
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json"), RequestBody.fromBytes(Json.bytes(invocation)));
        return true;
    }
}
