package dev.sessionlog.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.IoPool;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.Tombstones;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * Sealed checkpoints: the chain value at the last seq of each archive object, and the last chain
 * value of each erased session, written where the service's own roles can add but never change or
 * remove (on AWS a bucket with S3 Object Lock in compliance mode: a later write of the same key is
 * a new version, and the first version stays). A reader takes the oldest version of each key, so a
 * checkpoint rewritten by anyone holding the service's rights still shows the original value.
 */
public final class CheckpointStore {

    /** One checkpoint: the chain value at a seq of a session. */
    public record Checkpoint(long seq, String chain) {
    }

    private static final Pattern SEQ = Pattern.compile("(\\d{20})\\.json$");

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public CheckpointStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    private String sessionPrefix(StreamKey key) {
        // Named by the hash an erasure's tombstone has, never by the ids: checkpoints outlive an erasure.
        return prefix + "checkpoints/" + Tombstones.hash(key) + "/";
    }

    public void put(StreamKey key, long seq, String chain, String objectKey, Instant at) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("seq", seq).put("chain", chain).put("archive_object", objectKey)
                .put("written_at", at.toString());
        String checkpointKey = sessionPrefix(key) + String.format("%020d.json", seq);
        s3.putObject(b -> b.bucket(bucket).key(checkpointKey).contentType("application/json"), RequestBody.fromBytes(Json.bytes(body)));
    }

    /** The record of an erasure: when, the hash that names the session, its last chain value. */
    public void putErasure(String sessionHash, long lastSeq, String lastChain, Instant at) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("session_hash", sessionHash).put("last_seq", lastSeq)
                .put("last_chain", lastChain).put("erased_at", at.toString());
        s3.putObject(b -> b.bucket(bucket).key(prefix + "erasures/" + sessionHash + ".json").contentType("application/json"),
                RequestBody.fromBytes(Json.bytes(body)));
    }

    /** The checkpoints of a session whose seqs {@code wanted} accepts; only those are fetched. */
    public List<Checkpoint> list(StreamKey key, LongPredicate wanted) {
        String sessionPrefix = sessionPrefix(key);
        Map<String, ObjectVersion> oldest = new HashMap<>();
        String keyMarker = null;
        String versionMarker = null;
        do {
            String km = keyMarker;
            String vm = versionMarker;
            ListObjectVersionsResponse r = s3.listObjectVersions(b -> b.bucket(bucket).prefix(sessionPrefix).keyMarker(km)
                    .versionIdMarker(vm));
            for (ObjectVersion v : r.versions()) {
                ObjectVersion known = oldest.get(v.key());
                if (known == null || v.lastModified().isBefore(known.lastModified())) {
                    oldest.put(v.key(), v);
                }
            }
            keyMarker = Boolean.TRUE.equals(r.isTruncated()) ? r.nextKeyMarker() : null;
            versionMarker = Boolean.TRUE.equals(r.isTruncated()) ? r.nextVersionIdMarker() : null;
        } while (keyMarker != null);
        // The checkpoints in range are fetched at once: a verify's latency is one GET, not one per checkpoint.
        List<CompletableFuture<Checkpoint>> fetches = new ArrayList<>();
        for (ObjectVersion v : oldest.values()) {
            Matcher m = SEQ.matcher(v.key());
            if (!m.find()) {
                continue;
            }
            long seq = Long.parseLong(m.group(1));
            if (!wanted.test(seq)) {
                continue;
            }
            String versionId = v.versionId() == null || v.versionId().equals("null") ? null : v.versionId();
            fetches.add(IoPool.supply(() -> new Checkpoint(seq, Json.parse(s3.getObjectAsBytes(b -> b.bucket(bucket).key(v.key())
                    .versionId(versionId)).asByteArray()).path("chain").asText())));
        }
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (CompletableFuture<Checkpoint> fetch : fetches) {
            checkpoints.add(IoPool.join(fetch));
        }
        checkpoints.sort(Comparator.comparingLong(Checkpoint::seq));
        return checkpoints;
    }
}
