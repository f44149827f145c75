package dev.sessionlog.recorder;

/** An event the fold could not apply: its seq, its {@code type} and why. The fold goes on. */
record FoldError(long seq, String type, String message) {
}
