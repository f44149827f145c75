import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from "@langchain/langgraph-checkpoint";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { SessionlogClient } from "../client.js";
import { Conversations } from "../core/conversations.js";
import { baseSessionId, derivedSessionId } from "../core/idMapping.js";
import { Registry } from "../core/registry.js";
import { SessionFold } from "../core/sessionFold.js";
import type { EventEnvelope } from "../types.js";
import { deserialize, serialize, type Serialized } from "./serialized.js";
import { BLOB, CHECKPOINT, ThreadState, WRITES, type BlobEvent, type CheckpointEvent, type StoredWrite, type WritesEvent } from "./threadLog.js";

export interface SessionlogSaverOptions {
  client: SessionlogClient;
  /** Which threads `list` without a thread_id shows: those of savers with the same scope (default "default"). */
  scope?: string;
  serde?: SerializerProtocol;
}

const ADAPTER = "langgraph";

/**
 * LangGraph's checkpointer on sessionlog. A thread is a sessionlog session (the thread_id when it
 * is a valid session id); each put is one append holding the checkpoint and the values of the
 * channels in `newVersions` (one event per channel and version, as the Postgres saver's blobs),
 * each putWrites one append. Reads fold the thread's events, reading only what is new since this
 * saver's last read of it.
 */
export class SessionlogSaver extends BaseCheckpointSaver {
  private readonly conversations: Conversations;
  private readonly registry: Registry;
  private readonly threads = new Map<string, SessionFold<ThreadState>>();

  constructor(options: SessionlogSaverOptions) {
    super(options?.serde);
    if (!options?.client) throw new TypeError("SessionlogSaver: options.client (a SessionlogClient) is required");
    const scope = options.scope ?? "default";
    this.registry = new Registry(options.client, derivedSessionId("_sl.r.langgraph.", baseSessionId(scope)));
    this.conversations = new Conversations(options.client, { adapter: ADAPTER, registry: this.registry });
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.["thread_id"] as string | undefined;
    if (threadId === undefined || threadId === null) return undefined;
    const ns = (config.configurable?.["checkpoint_ns"] as string | undefined) ?? "";
    const state = await this.readThread(String(threadId));
    const byId = state.checkpoints.get(ns);
    if (!byId || byId.size === 0) return undefined;
    const wanted = getCheckpointId(config);
    const id = wanted || [...byId.keys()].sort().at(-1)!;
    const stored = byId.get(id);
    return stored ? this.toTuple(String(threadId), state, stored) : undefined;
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { limit, before, filter } = options;
    const threadId = config.configurable?.["thread_id"] as string | undefined;
    const ns = config.configurable?.["checkpoint_ns"] as string | undefined;
    const checkpointId = config.configurable?.["checkpoint_id"] as string | undefined;
    const beforeId = before?.configurable?.["checkpoint_id"] as string | undefined;
    const threadIds = threadId !== undefined ? [String(threadId)] : (await this.registry.list()).map((e) => e.conversationId);
    const found: { threadId: string; state: ThreadState; stored: CheckpointEvent }[] = [];
    for (const id of threadIds) {
      const state = await this.readThread(id);
      for (const [storedNs, byId] of state.checkpoints) {
        if (ns !== undefined && storedNs !== ns) continue;
        for (const stored of byId.values()) {
          if (checkpointId !== undefined && stored.checkpoint_id !== checkpointId) continue;
          if (beforeId !== undefined && !(stored.checkpoint_id < beforeId)) continue;
          found.push({ threadId: id, state, stored });
        }
      }
    }
    // Newest first across threads, as the SQL savers order by checkpoint_id.
    found.sort((a, b) => (a.stored.checkpoint_id < b.stored.checkpoint_id ? 1 : a.stored.checkpoint_id > b.stored.checkpoint_id ? -1 : 0));
    let yielded = 0;
    for (const { threadId: id, state, stored } of found) {
      if (limit !== undefined && yielded >= limit) return;
      if (filter && Object.keys(filter).length > 0) {
        const metadata = (await deserialize(this.serde, stored.metadata)) as Record<string, unknown>;
        if (!Object.entries(filter).every(([key, value]) => metadata?.[key] === value)) continue;
      }
      yielded++;
      yield await this.toTuple(id, state, stored);
    }
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (!config?.configurable) throw new Error("SessionlogSaver.put: config.configurable is missing (it needs a thread_id)");
    const threadId = config.configurable["thread_id"];
    if (threadId === undefined || threadId === null || threadId === "") {
      throw new Error("SessionlogSaver.put: config.configurable.thread_id is missing");
    }
    const ns = (config.configurable["checkpoint_ns"] as string | undefined) ?? "";
    const { channel_values: values, ...withoutValues } = checkpoint;
    const events: EventEnvelope[] = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      const blob: BlobEvent = { type: BLOB, checkpoint_ns: ns, channel, version };
      if (values && channel in values) blob.value = await serialize(this.serde, (values as Record<string, unknown>)[channel]);
      events.push({ event: blob as unknown as EventEnvelope["event"] });
    }
    const stored: CheckpointEvent = {
      type: CHECKPOINT,
      checkpoint_ns: ns,
      checkpoint_id: checkpoint.id,
      parent_checkpoint_id: (config.configurable["checkpoint_id"] as string | undefined) ?? null,
      checkpoint: await serialize(this.serde, withoutValues),
      metadata: await serialize(this.serde, metadata),
    };
    events.push({ event: stored as unknown as EventEnvelope["event"] });
    await this.appendAtomically(String(threadId), events, "put");
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const threadId = config.configurable?.["thread_id"];
    const checkpointId = config.configurable?.["checkpoint_id"];
    if (threadId === undefined || threadId === null) throw new Error("SessionlogSaver.putWrites: config.configurable.thread_id is missing");
    if (checkpointId === undefined || checkpointId === null) {
      throw new Error("SessionlogSaver.putWrites: config.configurable.checkpoint_id is missing");
    }
    if (writes.length === 0) return;
    const event: WritesEvent = {
      type: WRITES,
      checkpoint_ns: (config.configurable?.["checkpoint_ns"] as string | undefined) ?? "",
      checkpoint_id: String(checkpointId),
      task_id: taskId,
      task_path: taskPath ?? "",
      writes: await Promise.all(
        writes.map(async ([channel, value], idx) => ({
          idx: WRITES_IDX_MAP[channel] ?? idx,
          channel,
          value: await serialize(this.serde, value),
        })),
      ),
    };
    await this.appendAtomically(String(threadId), [{ event: event as unknown as EventEnvelope["event"] }], "putWrites");
  }

  /** Erases the thread's session; the same thread_id goes on at once in a new one. */
  async deleteThread(threadId: string): Promise<void> {
    if (typeof threadId !== "string" || threadId.length === 0) throw new TypeError("deleteThread: threadId must be a non-empty string");
    const cleared = await this.conversations.resolve(threadId);
    await this.conversations.clear(threadId);
    this.threads.delete(cleared.sessionId);
  }

  private async appendAtomically(threadId: string, events: EventEnvelope[], what: string): Promise<void> {
    if (events.length > 99) {
      throw new Error(`SessionlogSaver.${what}: ${events.length} events exceed one append (99 channels per checkpoint at most)`);
    }
    await this.conversations.append(threadId, events);
  }

  private async readThread(threadId: string): Promise<ThreadState> {
    const ref = await this.conversations.resolve(threadId);
    let fold = this.threads.get(ref.sessionId);
    if (!fold) {
      fold = new SessionFold(this.conversations.client, ref.sessionId, new ThreadState(), ThreadState.apply);
      this.threads.set(ref.sessionId, fold);
    }
    if (await fold.catchUp()) ref.started = true;
    return fold.state;
  }

  private async toTuple(threadId: string, state: ThreadState, stored: CheckpointEvent): Promise<CheckpointTuple> {
    const ns = stored.checkpoint_ns;
    const checkpoint = (await deserialize(this.serde, stored.checkpoint)) as Checkpoint;
    const channelValues: Record<string, unknown> = {};
    for (const [channel, version] of Object.entries(checkpoint.channel_versions ?? {})) {
      const blob = state.blob(ns, channel, version);
      if (blob?.value !== undefined) channelValues[channel] = await deserialize(this.serde, blob.value);
    }
    checkpoint.channel_values = channelValues;
    const parentId = stored.parent_checkpoint_id ?? undefined;
    if (checkpoint.v < 4 && parentId !== undefined) await this.migratePendingSends(checkpoint, state, ns, parentId);
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: stored.checkpoint_id } },
      checkpoint,
      metadata: (await deserialize(this.serde, stored.metadata)) as CheckpointMetadata,
      pendingWrites: await this.pendingWrites(sortWrites(state.writesOf(ns, stored.checkpoint_id))),
    };
    if (parentId !== undefined) {
      tuple.parentConfig = { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: parentId } };
    }
    return tuple;
  }

  /** Checkpoints before format 4 kept sends as the parent's TASKS writes; newer ones as a channel. */
  private async migratePendingSends(checkpoint: Checkpoint, state: ThreadState, ns: string, parentId: string): Promise<void> {
    const sends = sortWrites(state.writesOf(ns, parentId)).filter((w) => w.channel === TASKS);
    (checkpoint.channel_values as Record<string, unknown>)[TASKS] = await Promise.all(sends.map((w) => deserialize(this.serde, w.value)));
    const versions = Object.values(checkpoint.channel_versions);
    (checkpoint.channel_versions as Record<string, number | string>)[TASKS] =
      versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  private async pendingWrites(writes: StoredWrite[]): Promise<CheckpointPendingWrite[]> {
    return Promise.all(writes.map(async (w) => [w.taskId, w.channel, await deserialize(this.serde, w.value)] as CheckpointPendingWrite));
  }
}

function sortWrites(writes: StoredWrite[]): StoredWrite[] {
  return writes.sort((a, b) => compareWritesSortKeys(writesSortKey(a.taskPath, a.taskId, a.idx), writesSortKey(b.taskPath, b.taskId, b.idx)));
}

export type { Serialized };
