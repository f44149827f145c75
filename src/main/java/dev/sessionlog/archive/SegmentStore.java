package dev.sessionlog.archive;

import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.EventBodyCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive in S3: {prefix}tenant={tenant}/session={session}/{first:020}-{last:020}.jsonl.gz, each
 * a gzip JSON Lines object of event records in exactly the read endpoint's shape, ascending seq.
 * Names sort numerically, so the object that holds a seq is found by listing from
 * (seq - the most events an object holds): never by reading every object.
 */
public final class SegmentStore {

    private static final Pattern NAME = Pattern.compile("(\\d{20})-(\\d{20})\\.jsonl\\.gz$");

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public SegmentStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    public String sessionPrefix(StreamKey key) {
        return prefix + "tenant=" + StreamKey.encodeTenant(key.tenant()) + "/session=" + key.sessionId() + "/";
    }

    public String objectKey(StreamKey key, long first, long last) {
        return sessionPrefix(key) + String.format("%020d-%020d.jsonl.gz", first, last);
    }

    /** One record's line, newline included: exactly the read endpoint's JSON of the record. */
    public static byte[] line(EventRecord record) {
        return (Json.write(EventRecordJson.toJson(record)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The gzip JSON Lines of the records: deterministic, so a rerun writes an identical object. */
    public static byte[] encode(List<EventRecord> records) {
        return gzipLines(records.stream().map(SegmentStore::line).toList());
    }

    private static byte[] gzipLines(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(lines.size() * 512);
        lines.forEach(out::writeBytes);
        return EventBodyCodec.gzip(out.toByteArray());
    }

    public static List<EventRecord> decode(byte[] gz) {
        List<EventRecord> records = new ArrayList<>();
        String text = new String(EventBodyCodec.gunzip(gz), StandardCharsets.UTF_8);
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            if (end > start) {
                records.add(EventRecordJson.fromJson(Json.parse(text.substring(start, end).getBytes(StandardCharsets.UTF_8))));
            }
            start = end + 1;
        }
        return records;
    }

    /** Writes one object of consecutive records; returns its size in bytes (compressed). */
    public int write(StreamKey key, List<EventRecord> records) {
        EventRecord last = records.get(records.size() - 1);
        return write(key, records.get(0).seq(), last.seq(), records.stream().map(SegmentStore::line).toList(), last.chain());
    }

    /**
     * Writes the object of seqs first..last from their {@link #line}s, with the chain value of its last
     * record as {@value #CHAIN_METADATA} metadata (x-amz-meta-chain), when it has one.
     */
    public int write(StreamKey key, long first, long last, List<byte[]> lines, String lastChain) {
        byte[] gz = gzipLines(lines);
        String objectKey = objectKey(key, first, last);
        Map<String, String> metadata = lastChain == null ? Map.of() : Map.of(CHAIN_METADATA, lastChain);
        s3.putObject(b -> b.bucket(bucket).key(objectKey).contentType("application/x-ndjson").contentEncoding("gzip")
                        .metadata(metadata), RequestBody.fromBytes(gz));
        return gz.length;
    }

    public static final String CHAIN_METADATA = "chain";

    /** The chain value an object carries as metadata, or null. */
    public String chainOf(Segment segment) {
        return s3.headObject(b -> b.bucket(bucket).key(segment.key())).metadata().get(CHAIN_METADATA);
    }

    /**
     * Objects that hold {@code seq} or later, in name order, at most {@code maxObjects} of them: the
     * listing starts after (seq - segmentMaxEvents), where the object holding seq must begin, and
     * pages on past the objects that end before seq however many there are (small objects, written
     * under a byte limit, can be many). One LIST call per 1,000 objects listed.
     */
    public List<Segment> listFrom(StreamKey key, long seq, int segmentMaxEvents, int maxObjects) {
        String sessionPrefix = sessionPrefix(key);
        long from = Math.max(0, seq - Math.max(1, segmentMaxEvents));
        String startAfter = sessionPrefix + String.format("%020d", from);
        List<Segment> segments = new ArrayList<>();
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).prefix(sessionPrefix).startAfter(startAfter)
                    .continuationToken(continuation).maxKeys(1000));
            for (S3Object o : r.contents()) {
                Matcher m = NAME.matcher(o.key());
                if (m.find()) {
                    Segment s = new Segment(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), o.key(), o.eTag());
                    if (s.last() >= seq && segments.size() < maxObjects) {
                        segments.add(s);
                    }
                }
            }
            token = Boolean.TRUE.equals(r.isTruncated()) && segments.size() < maxObjects ? r.nextContinuationToken() : null;
        } while (token != null);
        return segments;
    }

    public List<EventRecord> read(Segment segment) {
        return decode(s3.getObjectAsBytes(b -> b.bucket(bucket).key(segment.key())).asByteArrayUnsafe());
    }
}
