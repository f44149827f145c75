package dev.sessionlog.recorder;

/** phi-core's LoopStatus; the constant names are the serialized values. Pending is never produced. */
enum LoopStatus {
    Pending, Running, Completed, Rejected, Aborted
}
