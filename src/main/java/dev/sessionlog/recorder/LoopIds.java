package dev.sessionlog.recorder;

/** The parts of a phi-core loop id, {@code {session_id}.{config_id}.{N}}. */
final class LoopIds {

    private LoopIds() {
    }

    /** Everything before the first '.', or the whole id: how phi-core finds a loop's session. */
    static String sessionOf(String loopId) {
        int dot = loopId.indexOf('.');
        return dot < 0 ? loopId : loopId.substring(0, dot);
    }

    /** The part between the first and the last '.', or null when the id has fewer than two. */
    static String configSegment(String loopId) {
        int first = loopId.indexOf('.');
        int last = loopId.lastIndexOf('.');
        return first < 0 || last == first ? null : loopId.substring(first + 1, last);
    }
}
