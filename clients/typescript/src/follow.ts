import type { SessionlogClient } from "./client.js";
import { isSessionlogError } from "./errors.js";
import type { EventRecord } from "./types.js";

/** The part of a WebSocket (the browser's, Node 22's, or the `ws` package's) a follower uses. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: `new (url) => socket`. */
export type WebSocketClass = new (url: string) => WebSocketLike;

export interface FollowOptions {
  /** Follow from after this seq (default 0: from the start). */
  afterSeq?: number;
  /** Only events of these types. */
  types?: string[];
  /** Seconds each held read waits (1 to 20, default 20), where events are not pushed. */
  wait?: number;
  /** Events per read (default 1000). */
  limit?: number;
  /** Stops the iterator (it then ends without an error). */
  signal?: AbortSignal;
  /**
   * The WebSocket class to take pushed events with: by default the platform's (`globalThis.WebSocket`:
   * browsers, Node 22 and later); on Node 20 pass the `ws` package's. `false`: held reads only.
   */
  webSocket?: WebSocketClass | false;
}

/** An endless async iterator over a session's events; `afterSeq` is where a new one would resume. */
export interface FollowIterator extends AsyncIterableIterator<EventRecord> {
  /** The last seq examined: pass it as `afterSeq` to resume after a stop. */
  readonly afterSeq: number;
}

/** API Gateway closes a connection idle for 10 minutes. */
const KEEP_ALIVE_MS = 5 * 60 * 1000;
/** After a connection could not be made: held reads this long, then push again. */
const HELD_BEFORE_RETRY_MS = 60 * 1000;

/** One follow connection: its messages in order, `null` once it is closed and they are all taken. */
class FollowSocket {
  private readonly queue: unknown[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly keepAlive: ReturnType<typeof setInterval>;

  private constructor(private readonly socket: WebSocketLike) {
    socket.onmessage = (message) => {
      this.queue.push(JSON.parse(String(message.data)));
      this.wake?.();
    };
    socket.onclose = () => {
      this.closed = true;
      this.wake?.();
    };
    socket.onerror = () => {
      this.closed = true;
      this.wake?.();
    };
    this.keepAlive = setInterval(() => {
      if (socket.readyState === 1) socket.send('{"action":"ping"}');
    }, KEEP_ALIVE_MS);
    (this.keepAlive as { unref?: () => void }).unref?.();
  }

  static open(WebSocketImpl: WebSocketClass, url: string): Promise<FollowSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocketImpl(url);
      const follow = new FollowSocket(socket);
      socket.onopen = () => resolve(follow);
      socket.onerror = () => {
        follow.close();
        reject(new Error("the follow connection failed"));
      };
      socket.onclose = () => reject(new Error("the follow connection was refused"));
    }).then((follow) => {
      const f = follow as FollowSocket;
      // from now on a close ends the message stream
      f.socket.onclose = () => {
        f.closed = true;
        f.wake?.();
      };
      f.socket.onerror = f.socket.onclose;
      return f;
    });
  }

  async next(signal?: AbortSignal): Promise<unknown | null> {
    while (this.queue.length === 0) {
      if (this.closed || signal?.aborted) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        signal?.addEventListener("abort", () => resolve(), { once: true });
      });
      this.wake = null;
    }
    return this.queue.shift();
  }

  close(): void {
    clearInterval(this.keepAlive);
    this.closed = true;
    try {
      this.socket.close(1000, "done");
    } catch {
      // closed already
    }
  }
}

type PushedMessage =
  | { type: "events"; session_id: string; events: EventRecord[] }
  | { type: "appended"; session_id: string; through_seq: number }
  | { type: "erased"; session_id: string };

/**
 * Catch up, then follow. Pushed (openapi.yaml's follow route): a ticket, the WebSocket, a catch-up
 * over HTTP from the last seq examined to the head, then each pushed record once and in order (a gap,
 * an `appended` notice or an erasure is read over HTTP; an erased session ends the iterator with the
 * read's 404). A closed connection is replaced; where the service pushes nothing or no connection can
 * be made, held reads (`wait=`): they return at once while events exist after `after_seq`, and are
 * held otherwise; `next_after_seq` (never null with `wait`) is the next position.
 */
export function follow(client: SessionlogClient, sessionId: string, options: FollowOptions): FollowIterator {
  let position = options.afterSeq ?? 0;
  const wait = options.wait ?? 20;
  const limit = options.limit ?? 1000;
  const signal = options.signal;
  const types = options.types && options.types.length > 0 ? new Set(options.types) : null;
  const WebSocketImpl: WebSocketClass | undefined = options.webSocket === false
    ? undefined
    : options.webSocket ?? (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  let pushUnavailable = WebSocketImpl === undefined;
  let heldUntil = 0;

  /** Reads from the last seq examined up to the head. */
  async function* catchUp(): AsyncGenerator<EventRecord> {
    for (;;) {
      const page = await client.readEvents(sessionId, { afterSeq: position, types: options.types, limit, signal });
      for (const record of page.events) {
        if (record.seq > position) {
          position = record.seq;
          yield record;
        }
      }
      if (page.next_after_seq === null || page.next_after_seq === undefined) {
        position = Math.max(position, page.head_seq);
        return;
      }
      position = Math.max(position, page.next_after_seq);
    }
  }

  async function* heldRead(): AsyncGenerator<EventRecord> {
    const page = await client.readEvents(sessionId, { afterSeq: position, wait, types: options.types, limit, signal });
    for (const record of page.events) {
      if (record.seq > position) {
        position = record.seq;
        yield record;
      }
    }
    if (page.next_after_seq !== null && page.next_after_seq !== undefined) {
      position = Math.max(position, page.next_after_seq);
    }
  }

  async function connect(): Promise<FollowSocket | null> {
    let url: string;
    try {
      url = (await client.followSession(sessionId)).url;
    } catch (error) {
      if (isSessionlogError(error, "follow_unavailable", "route_not_found")) {
        pushUnavailable = true;
        return null;
      }
      if (isSessionlogError(error, "session_not_found", "unauthorized", "forbidden")) throw error;
      heldUntil = Date.now() + HELD_BEFORE_RETRY_MS;
      return null;
    }
    try {
      return await FollowSocket.open(WebSocketImpl!, url);
    } catch {
      heldUntil = Date.now() + HELD_BEFORE_RETRY_MS;
      return null;
    }
  }

  async function* pushed(socket: FollowSocket): AsyncGenerator<EventRecord> {
    yield* catchUp();
    for (;;) {
      const message = (await socket.next(signal)) as PushedMessage | null;
      if (message === null) return;
      if (message.type === "events") {
        for (const record of message.events) {
          if (record.seq === position + 1) {
            position = record.seq;
            if (!types || types.has(String((record.event as { type?: unknown }).type))) yield record;
          } else if (record.seq > position + 1) {
            yield* catchUp(); // a push was lost: read the gap (and this record) over HTTP
          }
        }
      } else if (message.type === "appended" && message.through_seq > position) {
        yield* catchUp();
      } else if (message.type === "erased") {
        yield* catchUp(); // the read answers 404: the iterator ends as a held read's would
      }
    }
  }

  async function* run(): AsyncGenerator<EventRecord> {
    while (!signal?.aborted) {
      try {
        if (pushUnavailable || Date.now() < heldUntil) {
          yield* heldRead();
          continue;
        }
        const socket = await connect();
        if (!socket) continue;
        try {
          yield* pushed(socket);
        } finally {
          socket.close();
        }
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
    }
  }
  const generator = run();
  Object.defineProperty(generator, "afterSeq", { get: () => position, enumerable: true });
  return generator as unknown as FollowIterator;
}
