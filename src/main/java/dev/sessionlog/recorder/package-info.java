/**
 * The materialized session: phi-core's SessionRecorder (session/recorder.rs) as a pure, resumable fold
 * over one session's events, with no AWS and no Quarkus.
 *
 * <p>Entry points: {@link dev.sessionlog.recorder.SessionFold} (fold, serve, store, restore, idle flush),
 * {@link dev.sessionlog.recorder.RecorderOptions}, and {@link dev.sessionlog.recorder.SpawnLinks} (joins a
 * sub-agent session to its parent's tool call, which lives in another session).
 *
 * <p>Where the fold differs from recorder.rs, and why:
 * <ul>
 *   <li>One fold is one session. An AgentStart or ParallelLoop* naming another session is a fold error
 *       (recorder.rs would open that session too).</li>
 *   <li>{@code loops} lists every loop in start order, running ones included; recorder.rs holds running
 *       loops apart and appends loops to the session as they end.</li>
 *   <li>A loop lists its event seqs ({@code event_seqs}) instead of copying its events.</li>
 *   <li>A running loop's usage is the sum of its TurnEnd usages so far; AgentEnd's usage replaces it, as in
 *       recorder.rs. The session's {@code usage} is the sum of its loops' (evaluation_usage of parallel
 *       groups stays on the group).</li>
 *   <li>Besides recorder.rs's fields (last_active_at moves to each AgentStart's timestamp, as there), the
 *       session has {@code last_event_at}: the server's recorded_at of the last event folded.</li>
 *   <li>Events for a loop that never started or has ended, a second AgentStart of a loop, and malformed
 *       events of known types are {@code fold_errors}; recorder.rs drops the first kinds silently and
 *       cannot deserialize the last.</li>
 *   <li>A rejection reason from InputRejected is used when AgentEnd names none.</li>
 *   <li>The idle flush sets ended_at on the loops it aborts; recorder.rs leaves it empty.</li>
 *   <li>The child session's parent_spawn_ref is enriched by {@link dev.sessionlog.recorder.SpawnLinks}
 *       on read, not in the fold: the tool call is in the parent session's events.</li>
 *   <li>TurnRequest and RevertApplied (0.10 variants the seed's recorder.rs predates) go into event_seqs
 *       only; no request_payload and no compaction_block are produced.</li>
 * </ul>
 */
package dev.sessionlog.recorder;
