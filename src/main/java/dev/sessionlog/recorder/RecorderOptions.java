package dev.sessionlog.recorder;

/**
 * How the fold materializes a session.
 *
 * @param keepStreamingUpdates list {@code MessageUpdate} seqs in a loop's {@code event_seqs}; off by
 *     default because streaming deltas outnumber final messages 100 to 1000 times (phi-core's
 *     {@code include_streaming_events})
 * @param maxFoldErrors how many fold errors the session keeps in {@code fold_errors}; beyond it only
 *     {@code fold_error_count} grows, so a stream of bad events cannot grow the session unboundedly
 */
public record RecorderOptions(boolean keepStreamingUpdates, int maxFoldErrors) {

    public static final int DEFAULT_MAX_FOLD_ERRORS = 1000;

    public RecorderOptions {
        if (maxFoldErrors < 0) {
            throw new IllegalArgumentException("maxFoldErrors must be >= 0, was " + maxFoldErrors);
        }
    }

    public static RecorderOptions defaults() {
        return new RecorderOptions(false, DEFAULT_MAX_FOLD_ERRORS);
    }

    public RecorderOptions withKeepStreamingUpdates(boolean keep) {
        return new RecorderOptions(keep, maxFoldErrors);
    }

    public RecorderOptions withMaxFoldErrors(int max) {
        return new RecorderOptions(keepStreamingUpdates, max);
    }
}
