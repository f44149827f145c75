import type { SessionlogClient } from "./client.js";
import { uuidv7 } from "./ids.js";
import type { AppendedEvent, EventEnvelope } from "./types.js";

export interface ProducerOptions {
  /** Milliseconds a batch waits for more events before it is sent (default 50). */
  lingerMs?: number;
  /** Events per request at most (1 to 100, default 100). */
  maxBatch?: number;
  /** JSON bytes per request at most (default 4,500,000, under the service's 5 MB). */
  maxBatchBytes?: number;
}

interface Pending {
  envelope: EventEnvelope;
  bytes: number;
  resolve: (appended: AppendedEvent) => void;
  reject: (error: unknown) => void;
}

/**
 * Batches one session's events: in order, one request in flight, each event's promise settled by
 * the append that stored it. After a failed append the producer stops (later events would
 * otherwise land after a gap): every pending and later `send` rejects with that error.
 */
export class Producer {
  private readonly lingerMs: number;
  private readonly maxBatch: number;
  private readonly maxBatchBytes: number;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;
  /** Requests sent so far (a burst of N events costs about N / maxBatch). */
  requests = 0;

  constructor(
    private readonly client: SessionlogClient,
    readonly sessionId: string,
    options: ProducerOptions,
  ) {
    this.lingerMs = options.lingerMs ?? 50;
    this.maxBatch = options.maxBatch ?? 100;
    this.maxBatchBytes = options.maxBatchBytes ?? 4_500_000;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1 || this.maxBatch > 100) {
      throw new RangeError(`maxBatch must be an integer from 1 to 100 (was ${options.maxBatch})`);
    }
    if (!(this.lingerMs >= 0)) throw new RangeError(`lingerMs must be 0 or more (was ${options.lingerMs})`);
  }

  /**
   * Queues an event (a plain event object, or an envelope with its own ids) and resolves with
   * its seq once stored.
   */
  send(event: EventEnvelope["event"] | EventEnvelope): Promise<AppendedEvent> {
    if (this.closed) return Promise.reject(new Error(`producer of session ${this.sessionId} is closed`));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const envelope = isEnvelope(event) ? { ...event } : { event };
    if (!envelope.event || typeof envelope.event.type !== "string") {
      return Promise.reject(new TypeError("event must be an object with a string type, or an envelope holding one"));
    }
    envelope.event_id ??= uuidv7();
    const bytes = Buffer.byteLength(JSON.stringify(envelope)) + 1;
    return new Promise<AppendedEvent>((resolve, reject) => {
      this.queue.push({ envelope, bytes, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.lingerMs);
    });
  }

  /** Sends everything queued now and resolves when all of it is stored. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      this.kick();
      await this.inFlight;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Flushes, then refuses further sends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = this.sendBatch().finally(() => {
      this.inFlight = undefined;
      // What arrived meanwhile goes next, without waiting for another linger if a batch is full.
      if (this.queue.length >= this.maxBatch) this.kick();
      else if (this.queue.length > 0) this.timer ??= setTimeout(() => this.kick(), this.lingerMs);
    });
  }

  private async sendBatch(): Promise<void> {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < this.maxBatch) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > this.maxBatchBytes) break;
      batch.push(this.queue.shift()!);
      bytes += next.bytes;
    }
    try {
      this.requests++;
      const answer = await this.client.appendEvents(this.sessionId, { events: batch.map((p) => p.envelope) });
      batch.forEach((p, i) => p.resolve(answer.events[i]!));
    } catch (error) {
      this.failure = error;
      for (const p of [...batch, ...this.queue.splice(0)]) p.reject(error);
    }
  }
}

function isEnvelope(value: unknown): value is EventEnvelope {
  return typeof value === "object" && value !== null && "event" in value && typeof (value as { event: unknown }).event === "object";
}
