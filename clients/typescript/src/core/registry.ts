import type { SessionlogClient } from "../client.js";
import { isSessionlogError } from "../errors.js";
import { sha256Hex } from "./idMapping.js";

export const REGISTERED = "sessionlog.Registered";
export const UNREGISTERED = "sessionlog.Unregistered";

export interface RegistryEntry {
  conversationId: string;
  generation: number;
  sessionId: string;
  /** The adapter's own fields (ADK: user_id, created_at). */
  fields: Record<string, unknown>;
}

/**
 * The conversations one adapter scope holds (a LangGraph saver's threads, an ADK app's sessions),
 * as a session of its own: one event when a conversation's generation starts, one when it is
 * cleared; folded on read. The service's own list (GET /v1/sessions) lags appends by a second or
 * two; this one is read-your-writes. Cost: one append per conversation started and per clear; a
 * listing reads only the events after those this object has folded already (one request when
 * nothing changed).
 */
export class Registry {
  private readonly entries = new Map<string, RegistryEntry>();
  private afterSeq = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly client: SessionlogClient,
    readonly sessionId: string,
  ) {}

  async register(entry: RegistryEntry): Promise<void> {
    await this.client.appendEvents(this.sessionId, {
      events: [
        {
          // One id per (conversation, generation): registering again is a duplicate, not a second entry.
          event_id: `r${entry.generation}.${sha256Hex(entry.conversationId)}`,
          event: {
            type: REGISTERED,
            conversation_id: entry.conversationId,
            generation: entry.generation,
            stored_in: entry.sessionId,
            ...entry.fields,
          },
        },
      ],
    });
  }

  async unregister(conversationId: string, generation: number): Promise<void> {
    await this.client.appendEvents(this.sessionId, {
      events: [
        {
          event_id: `u${generation}.${sha256Hex(conversationId)}`,
          event: { type: UNREGISTERED, conversation_id: conversationId, generation },
        },
      ],
    });
  }

  /** The live entries, read up to the registry's head. */
  async list(): Promise<RegistryEntry[]> {
    // Concurrent listings share one read (the fold is not re-entrant).
    this.reading ??= this.catchUp().finally(() => (this.reading = undefined));
    await this.reading;
    return [...this.entries.values()];
  }

  private async catchUp(): Promise<void> {
    try {
      for await (const record of this.client.events(this.sessionId, { afterSeq: this.afterSeq })) {
        this.apply(record.event as Record<string, unknown>);
        this.afterSeq = record.seq;
      }
    } catch (error) {
      if (!isSessionlogError(error, "session_not_found")) throw error;
    }
  }

  private apply(event: Record<string, unknown>): void {
    const conversationId = event["conversation_id"] as string;
    const generation = event["generation"] as number;
    const current = this.entries.get(conversationId);
    if (event["type"] === REGISTERED) {
      if (current && current.generation > generation) return;
      const { type: _t, conversation_id: _c, generation: _g, stored_in, ...fields } = event;
      this.entries.set(conversationId, { conversationId, generation, sessionId: stored_in as string, fields });
    } else if (event["type"] === UNREGISTERED) {
      if (current && current.generation <= generation) this.entries.delete(conversationId);
    }
  }
}
