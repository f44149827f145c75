import type { AgentInputItem, Session } from "@openai/agents-core";
import type { SessionlogClient } from "../client.js";
import { Conversations } from "../core/conversations.js";
import { sha256Hex } from "../core/idMapping.js";
import { isSessionlogError, SessionlogError } from "../errors.js";
import { uuidv7 } from "../ids.js";
import type { EventEnvelope, EventRecord } from "../types.js";

export const ITEM = "openai_agents.Item";
export const REMOVE = "openai_agents.Remove";

const ADAPTER = "openai-agents";
/** One append holds 100 events and 5 MB: a transaction must fit one append to be atomic. */
const MAX_EVENTS = 100;
const MAX_BYTES = 5_000_000;

export interface SessionlogSessionOptions {
  client: SessionlogClient;
  /** The conversation's id (a new UUIDv7 when none). */
  sessionId?: string;
  /**
   * `getItems()` without a limit reads newest first and stops at the latest `compaction` item
   * (the runner replays nothing before it): default true. False reads the whole history.
   */
  historyFromLatestCompaction?: boolean;
}

interface HistoryTransaction {
  type: "append_items" | "replace_suffix";
  items?: AgentInputItem[];
  expectedSuffix?: AgentInputItem[];
  replacement?: AgentInputItem[];
}

interface LiveItem {
  seq: number;
  item: AgentInputItem;
}

/**
 * The OpenAI Agents SDK's Session on sessionlog. Each item is one event; the log stays
 * append-only: popItem and a transaction's replaced suffix append a Remove event naming the seqs
 * it takes out, which every read honours. Reads go newest first and stop as soon as they have
 * what was asked, so their cost follows what is returned, not the history's length.
 */
export class SessionlogSession implements Session {
  private readonly conversations: Conversations;
  private readonly conversationId: string;
  private readonly fromLatestCompaction: boolean;

  constructor(options: SessionlogSessionOptions) {
    if (!options?.client) throw new TypeError("SessionlogSession: options.client (a SessionlogClient) is required");
    if (options.sessionId !== undefined && (typeof options.sessionId !== "string" || options.sessionId.length === 0)) {
      throw new TypeError("SessionlogSession: options.sessionId must be a non-empty string when given");
    }
    this.conversations = new Conversations(options.client, { adapter: ADAPTER });
    this.conversationId = options.sessionId ?? uuidv7();
    this.fromLatestCompaction = options.historyFromLatestCompaction ?? true;
  }

  async getSessionId(): Promise<string> {
    return this.conversationId;
  }

  /** The newest `limit` items (all without one), oldest first. */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new RangeError(`getItems: limit must be a non-negative integer (was ${limit})`);
    }
    if (limit === 0) return [];
    const { items } = await this.readNewest(limit, limit === undefined && this.fromLatestCompaction);
    return items.map((i) => i.item);
  }

  async addItems(items: AgentInputItem[]): Promise<void> {
    if (!Array.isArray(items)) throw new TypeError("addItems: items must be an array");
    if (items.length === 0) return;
    // Chunks of one append each; each chunk is atomic and retried with the same event ids.
    const envelopes = items.map((item) => itemEnvelope(item));
    for (const chunk of chunks(envelopes)) await this.conversations.append(this.conversationId, chunk);
  }

  /** Appended as OpenAIConversationsSession does: compaction never erases the log. */
  async replaceHistoryWithCompaction(items: AgentInputItem[]): Promise<void> {
    await this.addItems(items);
  }

  async popItem(): Promise<AgentInputItem | undefined> {
    for (;;) {
      const { items, headSeq } = await this.readNewest(1, false);
      const newest = items[0];
      if (!newest) return undefined;
      try {
        // Conditional on the head read: a concurrent pop or append makes us look again.
        await this.conversations.append(this.conversationId, [removeEnvelope([newest.seq], uuidv7())], { expectedSeq: headSeq });
        return newest.item;
      } catch (error) {
        if (!isSessionlogError(error, "seq_conflict", "session_erasing", "session_erased")) throw error;
      }
    }
  }

  /** Erases the conversation's session; the same id goes on at once in a new one. */
  async clearSession(): Promise<void> {
    await this.conversations.clear(this.conversationId);
  }

  /**
   * Atomic (one append, so up to 100 items and 5 MB) and idempotent per operationId: the first
   * event's id is derived from the operationId alone, the others from it and the transaction, so
   * a retry is a duplicate and a changed transaction is refused (partial duplicate, or a stored
   * transaction hash that differs). Within the service's idempotency window (24 h by default).
   */
  async applyHistoryTransaction(args: { operationId: string; transaction: HistoryTransaction }): Promise<void> {
    const operationId = args?.operationId;
    if (typeof operationId !== "string" || operationId.trim().length === 0) {
      throw new TypeError("applyHistoryTransaction: operationId must be a non-empty string");
    }
    const transaction = snapshot(args.transaction);
    const transactionHash = sha256Hex(canonicalJson(transaction));
    const operationKey = `op.${sha256Hex(operationId).slice(0, 40)}`;
    const added = transaction.type === "append_items" ? transaction.items! : transaction.replacement!;
    const expectedSuffix = transaction.type === "replace_suffix" ? transaction.expectedSuffix! : [];
    if (added.length + 1 > MAX_EVENTS) {
      throw new RangeError(`applyHistoryTransaction: ${added.length} items exceed one atomic append (${MAX_EVENTS - 1} items at most)`);
    }
    for (;;) {
      let removed: number[] = [];
      let expectedSeq: number | undefined;
      if (expectedSuffix.length > 0) {
        const newest = await this.readNewest(expectedSuffix.length, false);
        const actual = newest.items.map((i) => canonicalJson(i.item));
        if (actual.length !== expectedSuffix.length || actual.some((a, i) => a !== canonicalJson(expectedSuffix[i]))) {
          if (await this.alreadyApplied(operationKey, transactionHash)) return;
          throw new Error("applyHistoryTransaction: the session history's suffix no longer matches the transaction's expectedSuffix");
        }
        removed = newest.items.map((i) => i.seq);
        expectedSeq = newest.headSeq;
      }
      const marker = { operation_id: operationId, transaction_hash: transactionHash, removes: removed };
      const events: EventEnvelope[] =
        added.length === 0
          ? [{ event_id: operationKey, event: { type: REMOVE, seqs: removed, transaction: marker } }]
          : added.map((item, i) =>
              i === 0
                ? itemEnvelope(item, operationKey, { transaction: marker })
                : itemEnvelope(item, `${operationKey}.${transactionHash.slice(0, 16)}.${i}`),
            );
      if (added.length > 0 && removed.length > 0) events[0]!.event["removes"] = removed;
      const bytes = Buffer.byteLength(JSON.stringify(events));
      if (bytes > MAX_BYTES) throw new RangeError(`applyHistoryTransaction: ${bytes} bytes exceed one atomic append (5 MB)`);
      try {
        const { answer } = await this.conversations.append(this.conversationId, events, { expectedSeq });
        if (answer.events.every((e) => e.duplicate) && !(await this.storedHashMatches(answer.events[0]!.seq, transactionHash))) {
          throw changedTransaction();
        }
        return;
      } catch (error) {
        if (isSessionlogError(error, "partial_duplicate")) throw changedTransaction();
        if (isSessionlogError(error, "seq_conflict", "session_erasing", "session_erased")) continue;
        throw error;
      }
    }
  }

  /** Whether this operation was applied already with this transaction (a retry after it applied). */
  private async alreadyApplied(operationKey: string, transactionHash: string): Promise<boolean> {
    const ref = await this.conversations.resolve(this.conversationId);
    try {
      await this.conversations.client.listChildren(ref.sessionId, operationKey, { limit: 1 });
    } catch (error) {
      if (isSessionlogError(error, "event_not_found", "session_not_found")) return false;
      throw error;
    }
    // The operation is stored: find it among the newest events and compare its hash.
    for await (const record of this.conversations.client.events(ref.sessionId, { order: "desc", limit: 100 })) {
      if (record.event_id === operationKey) return transactionHashOf(record) === transactionHash ? true : Promise.reject(changedTransaction());
    }
    return false;
  }

  private async storedHashMatches(seq: number, transactionHash: string): Promise<boolean> {
    const ref = await this.conversations.resolve(this.conversationId);
    const page = await this.conversations.client.readEvents(ref.sessionId, { afterSeq: seq - 1, limit: 1 });
    return page.events[0] !== undefined && transactionHashOf(page.events[0]) === transactionHash;
  }

  /**
   * Reads newest first, honouring removals, until `limit` live items (or all, or the latest
   * compaction item when `toCompaction`). Returns them oldest first, with the head seq read.
   */
  private async readNewest(limit: number | undefined, toCompaction: boolean): Promise<{ items: LiveItem[]; headSeq: number }> {
    const ref = await this.conversations.resolve(this.conversationId);
    const removed = new Set<number>();
    const found: LiveItem[] = [];
    let headSeq = 0;
    let beforeSeq: number | undefined;
    let pageSize = Math.min(1000, (limit ?? 50) * 2 + 2);
    try {
      for (;;) {
        const page = await this.conversations.client.readEvents(ref.sessionId, { order: "desc", beforeSeq, limit: pageSize });
        headSeq ||= page.head_seq;
        for (const record of page.events) {
          if (record.event.type === REMOVE || Array.isArray(record.event["removes"])) {
            for (const seq of (record.event["seqs"] ?? record.event["removes"]) as number[]) removed.add(seq);
          }
          if (record.event.type !== ITEM || removed.has(record.seq)) continue;
          const item = record.event["item"] as AgentInputItem;
          found.push({ seq: record.seq, item });
          if (limit !== undefined && found.length >= limit) return done();
          if (toCompaction && (item as { type?: string }).type === "compaction") return done();
        }
        if (page.next_before_seq === null || page.next_before_seq === undefined) return done();
        beforeSeq = page.next_before_seq;
        pageSize = Math.min(1000, pageSize * 2);
      }
    } catch (error) {
      if (isSessionlogError(error, "session_not_found")) return { items: [], headSeq: 0 };
      throw error;
    }
    function done() {
      ref.started = headSeq > 0 || ref.started;
      return { items: found.reverse(), headSeq };
    }
  }
}

function itemEnvelope(item: AgentInputItem, eventId?: string, extra: Record<string, unknown> = {}): EventEnvelope {
  if (!item || typeof item !== "object") throw new TypeError("each item must be an object (an AgentInputItem)");
  return { event_id: eventId ?? uuidv7(), event: { type: ITEM, item: item as unknown as Record<string, unknown>, ...extra } };
}

function removeEnvelope(seqs: number[], eventId: string): EventEnvelope {
  return { event_id: eventId, event: { type: REMOVE, seqs } };
}

function transactionHashOf(record: EventRecord): string | undefined {
  return (record.event["transaction"] as { transaction_hash?: string } | undefined)?.transaction_hash;
}

function changedTransaction(): Error {
  return new Error("applyHistoryTransaction: this operationId was already applied with a different transaction");
}

/** A plain-JSON copy of the transaction, refused before anything is written when it has none. */
function snapshot(transaction: HistoryTransaction): HistoryTransaction {
  let copy: HistoryTransaction;
  try {
    copy = JSON.parse(JSON.stringify(transaction)) as HistoryTransaction;
  } catch (cause) {
    throw new TypeError("applyHistoryTransaction: the transaction cannot be represented as JSON", { cause });
  }
  if (copy?.type === "append_items" && Array.isArray(copy.items)) return { type: copy.type, items: copy.items };
  if (copy?.type === "replace_suffix" && Array.isArray(copy.expectedSuffix) && Array.isArray(copy.replacement)) {
    return { type: copy.type, expectedSuffix: copy.expectedSuffix, replacement: copy.replacement };
  }
  throw new TypeError("applyHistoryTransaction: transaction must be {type: 'append_items', items} or {type: 'replace_suffix', expectedSuffix, replacement}");
}

/** JSON with object keys sorted: two structurally equal values give the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function* chunks(envelopes: EventEnvelope[]): Generator<EventEnvelope[]> {
  let chunk: EventEnvelope[] = [];
  let bytes = 0;
  for (const envelope of envelopes) {
    const size = Buffer.byteLength(JSON.stringify(envelope));
    if (chunk.length > 0 && (chunk.length >= MAX_EVENTS - 1 || bytes + size > MAX_BYTES - 100_000)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(envelope);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

export { SessionlogError };
