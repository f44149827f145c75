import type { SessionlogClient } from "../client.js";
import { isSessionlogError } from "../errors.js";
import { uuidv7 } from "../ids.js";
import type { AppendResponse, EventEnvelope } from "../types.js";
import { conversationSessionId, pointerSessionId } from "./idMapping.js";
import type { Registry } from "./registry.js";

export const CONVERSATION_START = "sessionlog.ConversationStart";
export const GENERATION = "sessionlog.Generation";

/** Where a conversation lives now. */
export interface ConversationRef {
  conversationId: string;
  generation: number;
  sessionId: string;
  /** Whether its session is known to exist (its ConversationStart is stored). */
  started: boolean;
}

export interface ConversationsOptions {
  /** The adapter's name, kept in every ConversationStart. */
  adapter: string;
  /** Where the conversations are listed, when the adapter lists them. */
  registry?: Registry;
}

export interface AppendOptions {
  /** Conditional append: the head the caller read (0: the session must not exist yet). */
  expectedSeq?: number;
  /** The adapter's fields in the ConversationStart of a new session. */
  startFields?: Record<string, unknown>;
  /** The adapter's fields in the registry entry of a new session. */
  registryFields?: Record<string, unknown>;
}

/** Append errors that mean "this generation was cleared by someone else": re-resolve and retry. */
const CLEARED = ["session_erasing", "session_erased"] as const;

/**
 * Conversations over sessionlog sessions, shared by the adapters: the id mapping, generations
 * (a cleared conversation goes on in a new session at once, since an erased id is never reused),
 * the ConversationStart event that opens every session an adapter makes, and the registry.
 */
export class Conversations {
  private readonly refs = new Map<string, ConversationRef>();

  constructor(
    readonly client: SessionlogClient,
    private readonly options: ConversationsOptions,
  ) {}

  /** The conversation's current generation: the pointer session's head, cached per object. */
  async resolve(conversationId: string): Promise<ConversationRef> {
    const cached = this.refs.get(conversationId);
    if (cached) return cached;
    const generation = await this.readGeneration(conversationId);
    const ref = {
      conversationId,
      generation: generation.generation,
      sessionId: conversationSessionId(conversationId, generation.generation),
      started: false,
    };
    // A concurrent resolve may have won; keep one object so `started` is shared.
    const raced = this.refs.get(conversationId);
    if (raced) return raced;
    this.refs.set(conversationId, ref);
    return ref;
  }

  /** Forgets the cached generation (after a write found the session cleared by someone else). */
  forget(conversationId: string): void {
    this.refs.delete(conversationId);
  }

  /**
   * Appends to the conversation's current session. The first append to a new session starts it
   * with a ConversationStart (expected_seq 0; a session someone else started answers seq_conflict,
   * and the events go alone). Without `expectedSeq`, an append that finds its generation cleared
   * by someone else goes to the new one; with it, the error reaches the caller, who must re-read.
   */
  async append(
    conversationId: string,
    events: EventEnvelope[],
    options: AppendOptions = {},
  ): Promise<{ ref: ConversationRef; answer: AppendResponse }> {
    const envelopes = events.map((e) => ({ ...e, event_id: e.event_id ?? uuidv7() }));
    const startId = uuidv7();
    for (let attempt = 0; ; attempt++) {
      const ref = await this.resolve(conversationId);
      try {
        const answer = await this.appendTo(ref, envelopes, startId, options);
        ref.started = true;
        return { ref, answer };
      } catch (error) {
        if (!isSessionlogError(error, ...CLEARED)) throw error;
        this.forget(conversationId);
        if (options.expectedSeq !== undefined || attempt >= 3) throw error;
      }
    }
  }

  private async appendTo(
    ref: ConversationRef,
    events: EventEnvelope[],
    startId: string,
    options: AppendOptions,
  ): Promise<AppendResponse> {
    const startNow = options.expectedSeq === 0 || (options.expectedSeq === undefined && !ref.started);
    if (!startNow) {
      return this.client.appendEvents(ref.sessionId, { expected_seq: options.expectedSeq, events });
    }
    await this.options.registry?.register({
      conversationId: ref.conversationId,
      generation: ref.generation,
      sessionId: ref.sessionId,
      fields: options.registryFields ?? {},
    });
    const start: EventEnvelope = {
      event_id: startId,
      event: {
        type: CONVERSATION_START,
        conversation_id: ref.conversationId,
        generation: ref.generation,
        adapter: this.options.adapter,
        ...options.startFields,
      },
    };
    try {
      return await this.client.appendEvents(ref.sessionId, { expected_seq: 0, events: [start, ...events] });
    } catch (error) {
      if (options.expectedSeq === 0 || !isSessionlogError(error, "seq_conflict")) throw error;
      ref.started = true;
      return this.client.appendEvents(ref.sessionId, { events });
    }
  }

  /**
   * Clears the conversation: the pointer moves to the next generation first (event id
   * `g<n+1>`, so a retry is a duplicate), then the cleared session is DELETEd (erasing what it
   * held). The conversation is usable at once, in the new generation's session.
   */
  async clear(conversationId: string): Promise<ConversationRef> {
    for (;;) {
      const current = await this.readGeneration(conversationId);
      const next = current.generation + 1;
      try {
        await this.client.appendEvents(pointerSessionId(conversationId), {
          expected_seq: current.pointerSeq,
          events: [
            {
              event_id: `g${next}`,
              event: { type: GENERATION, conversation_id: conversationId, generation: next, adapter: this.options.adapter },
            },
          ],
        });
      } catch (error) {
        // Someone else moved the pointer meanwhile: clear what is current now.
        if (isSessionlogError(error, "seq_conflict")) continue;
        throw error;
      }
      await this.options.registry?.unregister(conversationId, current.generation);
      const cleared = conversationSessionId(conversationId, current.generation);
      try {
        await this.client.eraseSession(cleared);
      } catch (error) {
        // Never written (404) or erased already (410): nothing to erase.
        if (!isSessionlogError(error, "session_not_found", "session_erased")) throw error;
      }
      const ref = { conversationId, generation: next, sessionId: conversationSessionId(conversationId, next), started: false };
      this.refs.set(conversationId, ref);
      return ref;
    }
  }

  private async readGeneration(conversationId: string): Promise<{ generation: number; pointerSeq: number }> {
    try {
      const head = await this.client.getHead(pointerSessionId(conversationId));
      const generation = (head.event.event as { generation?: unknown }).generation;
      if (typeof generation !== "number" || !Number.isInteger(generation) || generation < 2) {
        throw new Error(`the generation pointer of ${JSON.stringify(conversationId)} holds no generation: ${JSON.stringify(head.event.event)}`);
      }
      return { generation, pointerSeq: head.head_seq };
    } catch (error) {
      if (isSessionlogError(error, "session_not_found")) return { generation: 1, pointerSeq: 0 };
      throw error;
    }
  }
}
