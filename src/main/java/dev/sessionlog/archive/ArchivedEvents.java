package dev.sessionlog.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.ReadSpec;
import dev.sessionlog.log.ArchivedBodies;
import dev.sessionlog.log.StreamKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads the archived part of a session (seqs up to the watermark) from S3: only the objects that
 * hold the seqs asked for. Objects are immutable (a rerun writes the same bytes), so a few decoded
 * objects are kept for the lookups of archived bodies that children and by-id reads make, under
 * their key and ETag: an object changed behind the service's back is read again, never served stale.
 */
public final class ArchivedEvents implements ArchivedBodies {

    private static final int CACHED_SEGMENTS = 8;

    private final SegmentStore segments;
    private final ArchiveMeta meta;
    private final Map<String, List<EventRecord>> cache = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<EventRecord>> eldest) {
                    return size() > CACHED_SEGMENTS;
                }
            });

    public ArchivedEvents(SegmentStore segments, ArchiveMeta meta) {
        this.segments = segments;
        this.meta = meta;
    }

    /**
     * A page of the archived events in (base, watermark] as the spec asks, either direction, with its
     * type filter and byte budget. Ascending, one listing names up to 1,000 objects from the one holding
     * the first seq; descending, each object is found by listing from its last seq down (one LIST per object).
     */
    public EventPage readPage(StreamKey key, ReadSpec spec, long base, long watermark, int segmentMaxEvents) {
        long lo = Math.max(base + 1, spec.descending() ? spec.bound() : spec.from() + 1);
        long hi = Math.min(watermark, spec.descending() ? spec.from() - 1 : spec.bound());
        List<EventRecord> out = new ArrayList<>();
        if (lo > hi || spec.limit() <= 0) {
            return new EventPage(out, watermark, spec.from(), true, 0);
        }
        long bytes = 0;
        int examined = 0;
        long last = spec.from();
        long next = spec.descending() ? hi : lo;
        List<Segment> listed = List.of();
        while ((spec.descending() ? next >= lo : next <= hi) && examined < spec.limit()) {
            Segment holder = holder(listed, next);
            if (holder == null) {
                listed = segments.listFrom(key, next, segmentMaxEvents, spec.descending() ? 1 : 1000);
                holder = holder(listed, next);
            }
            if (holder == null) {
                throw new IllegalStateException("archive of " + key.sessionId() + " has no object holding seq " + next);
            }
            List<EventRecord> records = records(holder);
            boolean progressed = false;
            for (int i = 0; i < records.size(); i++) {
                EventRecord r = records.get(spec.descending() ? records.size() - 1 - i : i);
                if (r.seq() != next || examined >= spec.limit() || (spec.descending() ? next < lo : next > hi)) {
                    continue;
                }
                if (spec.wants(r.type())) {
                    long size = Json.bytes(r.event()).length;
                    if (!out.isEmpty() && bytes + size > spec.maxBytes()) {
                        return new EventPage(out, watermark, last, false, examined);
                    }
                    out.add(r);
                    bytes += size;
                }
                examined++;
                last = next;
                next += spec.descending() ? -1 : 1;
                progressed = true;
            }
            if (!progressed) {
                throw new IllegalStateException("archive of " + key.sessionId() + " has no object holding seq " + next);
            }
        }
        return new EventPage(out, watermark, last, spec.descending() ? next < lo : next > hi, examined);
    }

    private List<EventRecord> records(Segment s) {
        List<EventRecord> cached = cache.get(s.cacheKey());
        if (cached == null) {
            cached = segments.read(s);
            cache.put(s.cacheKey(), cached);
        }
        return cached;
    }

    @Override
    public JsonNode body(StreamKey key, long seq) {
        return bodies(key, List.of(seq)).get(seq);
    }

    /** One read of the archive state and one listing for as many seqs as its objects cover. */
    @Override
    public Map<Long, JsonNode> bodies(StreamKey key, List<Long> seqs) {
        Map<Long, JsonNode> bodies = new HashMap<>();
        records(key, seqs).forEach((seq, r) -> bodies.put(seq, r.event()));
        return bodies;
    }

    @Override
    public String chain(StreamKey key, long seq) {
        ArchiveMeta.Meta m = meta.load(key);
        if (seq > m.archivedThrough() || seq <= (m.readsFromSource() ? m.forkSeq() : 0)) {
            return null; // not in this session's own archive
        }
        EventRecord r = records(key, List.of(seq)).get(seq);
        return r == null ? null : r.chain();
    }

    private Map<Long, EventRecord> records(StreamKey key, List<Long> seqs) {
        int segmentMaxEvents = meta.load(key).segmentMaxEvents();
        Map<Long, EventRecord> bodies = new HashMap<>();
        List<Segment> listed = List.of();
        for (long seq : new TreeSet<>(seqs)) {
            Segment holder = holder(listed, seq);
            if (holder == null) {
                listed = segments.listFrom(key, seq, segmentMaxEvents, 1000);
                holder = holder(listed, seq);
            }
            if (holder == null) {
                throw new IllegalStateException("archive of " + key.sessionId() + " has no object holding seq " + seq);
            }
            for (EventRecord r : records(holder)) {
                if (r.seq() == seq) {
                    bodies.put(seq, r);
                }
            }
        }
        return bodies;
    }

    private static Segment holder(List<Segment> listed, long seq) {
        return listed.stream().filter(s -> s.contains(seq)).findFirst().orElse(null);
    }
}
