import type { SessionlogClient } from "./client.js";
import type { EventRecord } from "./types.js";

export interface FollowOptions {
  /** Follow from after this seq (default 0: from the start). */
  afterSeq?: number;
  /** Only events of these types. */
  types?: string[];
  /** Seconds each held read waits (1 to 20, default 20). */
  wait?: number;
  /** Events per read (default 1000). */
  limit?: number;
  /** Stops the iterator (it then ends without an error). */
  signal?: AbortSignal;
}

/** An endless async iterator over a session's events; `afterSeq` is where a new one would resume. */
export interface FollowIterator extends AsyncIterableIterator<EventRecord> {
  /** The last seq examined: pass it as `afterSeq` to resume after a stop. */
  readonly afterSeq: number;
}

/**
 * Catch up, then follow: reads with `wait=` return at once while events exist after `after_seq`,
 * and are held otherwise; `next_after_seq` (never null with `wait`) is the next position, also
 * when a filtered page held no event.
 */
export function follow(client: SessionlogClient, sessionId: string, options: FollowOptions): FollowIterator {
  let position = options.afterSeq ?? 0;
  const wait = options.wait ?? 20;
  async function* run(): AsyncGenerator<EventRecord> {
    while (!options.signal?.aborted) {
      let page;
      try {
        page = await client.readEvents(sessionId, {
          afterSeq: position,
          wait,
          types: options.types,
          limit: options.limit ?? 1000,
          signal: options.signal,
        });
      } catch (error) {
        if (options.signal?.aborted) return;
        throw error;
      }
      for (const record of page.events) {
        position = record.seq;
        yield record;
      }
      if (page.next_after_seq !== null && page.next_after_seq !== undefined) {
        position = Math.max(position, page.next_after_seq);
      }
    }
  }
  const generator = run();
  Object.defineProperty(generator, "afterSeq", { get: () => position, enumerable: true });
  return generator as unknown as FollowIterator;
}
