package dev.sessionlog.archive;

/**
 * One archive object: the seqs it holds, its key, and its ETag as the listing gave it (a decoded
 * object is cached under key and ETag, so an object changed in place is never served from memory).
 */
public record Segment(long first, long last, String key, String etag) {

    public boolean contains(long seq) {
        return first <= seq && seq <= last;
    }

    String cacheKey() {
        return key + "@" + etag;
    }
}
