import type { SessionlogClient } from "../client.js";
import { isSessionlogError } from "../errors.js";
import type { EventRecord } from "../types.js";

/**
 * A fold of one session's events kept up to date by reading only what was appended since the
 * last read (one request when nothing changed). The log is append-only, so a fold never has to
 * look back. Concurrent catch-ups share one read.
 */
export class SessionFold<State> {
  afterSeq = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly client: SessionlogClient,
    readonly sessionId: string,
    readonly state: State,
    private readonly apply: (state: State, record: EventRecord) => void,
  ) {}

  /** Reads up to the head; false when the session does not exist (yet, or any more). */
  async catchUp(): Promise<boolean> {
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    await this.reading;
    return this.afterSeq > 0;
  }

  private async read(): Promise<void> {
    try {
      for await (const record of this.client.events(this.sessionId, { afterSeq: this.afterSeq })) {
        this.apply(this.state, record);
        this.afterSeq = record.seq;
      }
    } catch (error) {
      if (!isSessionlogError(error, "session_not_found")) throw error;
    }
  }
}
