package dev.sessionlog.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.IoPool;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.Tombstones;
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
 *
 * <p>Nothing there names a tenant or a session: what the bucket keeps cannot be removed for its
 * retention, erasures included. Keys carry an HMAC-SHA256 of the session's key under the stack's
 * secret ({@link SessionNames}), which no dictionary of likely ids reverses without the secret, and
 * bodies hold only seqs, chain values and times. Checkpoints written before keyed names (a plain
 * SHA-256) are still read, under their old names.
 */
public final class CheckpointStore {

    /** One checkpoint: the chain value at a seq of a session. */
    public record Checkpoint(long seq, String chain) {
    }

    private static final Pattern SEQ = Pattern.compile("(\\d{20})\\.json$");

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final SessionNames names;

    public CheckpointStore(S3Client s3, String bucket, String prefix, SessionNames names) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.names = names;
    }

    private String sessionPrefix(String name) {
        return prefix + "checkpoints/" + name + "/";
    }

    /** The checkpoint at the last seq of an archive object: its seq and chain value, and when it was sealed. */
    public void put(StreamKey key, long seq, String chain, Instant at) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("seq", seq).put("chain", chain).put("written_at", at.toString());
        String checkpointKey = sessionPrefix(names.of(key)) + String.format("%020d.json", seq);
        s3.putObject(b -> b.bucket(bucket).key(checkpointKey).contentType("application/json"), RequestBody.fromBytes(Json.bytes(body)));
    }

    /** The record of an erasure: when, the keyed name of the session, its last seq and chain value. */
    public void putErasure(StreamKey key, long lastSeq, String lastChain, Instant at) {
        String name = names.of(key);
        ObjectNode body = Json.MAPPER.createObjectNode().put("session_hash", name).put("last_seq", lastSeq)
                .put("last_chain", lastChain).put("erased_at", at.toString());
        s3.putObject(b -> b.bucket(bucket).key(erasureKey(key)).contentType("application/json"), RequestBody.fromBytes(Json.bytes(body)));
    }

    /** Where the record of a session's erasure is. */
    public String erasureKey(StreamKey key) {
        return prefix + "erasures/" + names.of(key) + ".json";
    }

    /** The checkpoints of a session whose seqs {@code wanted} accepts; only those are fetched. */
    public List<Checkpoint> list(StreamKey key, LongPredicate wanted) {
        // A seq sealed under both names (never, but a rerun could) counts once: the keyed one.
        Map<Long, Checkpoint> bySeq = new java.util.TreeMap<>();
        for (Checkpoint c : list(sessionPrefix(Tombstones.hash(key)), wanted)) {
            bySeq.put(c.seq(), c);
        }
        for (Checkpoint c : list(sessionPrefix(names.of(key)), wanted)) {
            bySeq.put(c.seq(), c);
        }
        return new ArrayList<>(bySeq.values());
    }

    private List<Checkpoint> list(String sessionPrefix, LongPredicate wanted) {
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
