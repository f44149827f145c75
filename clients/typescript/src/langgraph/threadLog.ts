import type { EventRecord } from "../types.js";
import type { Serialized } from "./serialized.js";

export const CHECKPOINT = "langgraph.Checkpoint";
export const BLOB = "langgraph.Blob";
export const WRITES = "langgraph.Writes";

export interface CheckpointEvent {
  type: typeof CHECKPOINT;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  /** The checkpoint without channel_values: those live in Blob events, per channel and version. */
  checkpoint: Serialized;
  metadata: Serialized;
}

export interface BlobEvent {
  type: typeof BLOB;
  checkpoint_ns: string;
  channel: string;
  version: number | string;
  /** Absent when the channel had no value at that version (as the Postgres saver's "empty"). */
  value?: Serialized;
}

export interface WritesEvent {
  type: typeof WRITES;
  checkpoint_ns: string;
  checkpoint_id: string;
  task_id: string;
  task_path: string;
  writes: { idx: number; channel: string; value: Serialized }[];
}

export interface StoredWrite {
  taskId: string;
  taskPath: string;
  idx: number;
  channel: string;
  value: Serialized;
}

/** One thread's checkpoints, channel values and pending writes, folded from its session. */
export class ThreadState {
  readonly checkpoints = new Map<string, Map<string, CheckpointEvent>>();
  private readonly blobs = new Map<string, BlobEvent>();
  private readonly writes = new Map<string, Map<string, StoredWrite>>();

  blob(ns: string, channel: string, version: number | string): BlobEvent | undefined {
    return this.blobs.get(blobKey(ns, channel, version));
  }

  writesOf(ns: string, checkpointId: string): StoredWrite[] {
    return [...(this.writes.get(`${ns}\u0000${checkpointId}`)?.values() ?? [])];
  }

  static apply(state: ThreadState, record: EventRecord): void {
    const event = record.event as unknown as CheckpointEvent | BlobEvent | WritesEvent;
    if (event.type === CHECKPOINT) {
      let byId = state.checkpoints.get(event.checkpoint_ns);
      if (!byId) state.checkpoints.set(event.checkpoint_ns, (byId = new Map()));
      byId.set(event.checkpoint_id, event);
    } else if (event.type === BLOB) {
      state.blobs.set(blobKey(event.checkpoint_ns, event.channel, event.version), event);
    } else if (event.type === WRITES) {
      const key = `${event.checkpoint_ns}\u0000${event.checkpoint_id}`;
      let stored = state.writes.get(key);
      if (!stored) state.writes.set(key, (stored = new Map()));
      for (const write of event.writes) {
        const writeKey = `${event.task_id}\u0000${write.idx}`;
        // Ordinary writes: the first one wins per (task, index); special ones (negative index) overwrite.
        if (write.idx >= 0 && stored.has(writeKey)) continue;
        stored.set(writeKey, { taskId: event.task_id, taskPath: event.task_path, idx: write.idx, channel: write.channel, value: write.value });
      }
    }
  }
}

function blobKey(ns: string, channel: string, version: number | string): string {
  return `${ns}\u0000${channel}\u0000${typeof version}:${version}`;
}
