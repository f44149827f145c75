package dev.sessionlog.log;

import java.util.Set;

/**
 * What one page of a session's events asks for.
 *
 * @param descending newest first
 * @param from       exclusive: ascending pages read after it (after_seq), descending pages before it (before_seq)
 * @param bound      the other end, inclusive: the last seq an ascending page may reach, the first a
 *                   descending page may go down to
 * @param limit      how many events the page examines at most (with types, it may serve fewer)
 * @param maxBytes   how much event JSON the page holds at most (it always holds one event if any)
 * @param types      serve only events of these types; empty: all
 */
public record ReadSpec(boolean descending, long from, long bound, int limit, long maxBytes, Set<String> types) {

    public ReadSpec {
        types = Set.copyOf(types);
    }

    public static ReadSpec after(long afterSeq, int limit, long maxBytes) {
        return new ReadSpec(false, afterSeq, Long.MAX_VALUE, limit, maxBytes, Set.of());
    }

    public static ReadSpec before(long beforeSeq, int limit, long maxBytes) {
        return new ReadSpec(true, beforeSeq, 1, limit, maxBytes, Set.of());
    }

    public ReadSpec withTypes(Set<String> names) {
        return new ReadSpec(descending, from, bound, limit, maxBytes, names);
    }

    /** The same page, cut to the seqs in [lo, hi]. */
    public ReadSpec within(long lo, long hi) {
        // hi may be Long.MAX_VALUE (a part open upwards): hi + 1 must not overflow
        return descending ? new ReadSpec(true, hi == Long.MAX_VALUE ? from : Math.min(from, hi + 1), Math.max(bound, lo), limit,
                maxBytes, types)
                : new ReadSpec(false, Math.max(from, lo - 1), Math.min(bound, hi), limit, maxBytes, types);
    }

    /** What is left of the page after {@code examined} events of {@code bytes} were taken, going on from {@code last}. */
    public ReadSpec continuing(long last, int examined, long bytes) {
        return new ReadSpec(descending, last, bound, limit - examined, Math.max(0, maxBytes - bytes), types);
    }

    /** True when the page's seqs are all past its bound. */
    public boolean isEmptyRange() {
        return descending ? from - 1 < bound : from + 1 > bound;
    }

    public boolean wants(String type) {
        return types.isEmpty() || types.contains(type);
    }
}
