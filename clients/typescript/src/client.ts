import { SessionlogError } from "./errors.js";
import { Transport, type TransportOptions } from "./http.js";
import { requireId, uuidv7 } from "./ids.js";
import { Producer, type ProducerOptions } from "./producer.js";
import { follow, type FollowOptions, type FollowIterator } from "./follow.js";
import type {
  AppendRequest,
  AppendResponse,
  ChildRecord,
  ChildrenPage,
  EraseResponse,
  EventEnvelope,
  FollowTicket,
  EventRecord,
  EventsPage,
  ForkRequest,
  ForkResponse,
  HeadResponse,
  Loop,
  LoopPartPage,
  QueryOf,
  RebuildResponse,
  Session,
  SessionList,
  SessionSummary,
  VerifyResult,
} from "./types.js";

export type SessionlogClientOptions = TransportOptions;

/** Read options of `readEvents` and `events`, in camelCase. */
export interface ReadEventsOptions {
  afterSeq?: number;
  beforeSeq?: number;
  limit?: number;
  order?: "asc" | "desc";
  types?: string[];
  /** Seconds to hold an ascending read for a new event (1 to 20). */
  wait?: number;
  signal?: AbortSignal;
}

export interface ListSessionsOptions {
  agentId?: string;
  activeSince?: string;
  forkedFrom?: string;
  limit?: number;
  cursor?: string;
}

export interface VerifyOptions {
  fromSeq?: number;
  throughSeq?: number;
  receiptSeq?: number;
  receiptChain?: string;
}

export interface LoopPartOptions {
  part?: "messages" | "turns";
  after?: number;
  limit?: number;
}

/**
 * The sessionlog API (openapi.yaml), one method per operation, named by its operationId.
 * Every request is retried when it got no answer, a 429 or a 503; appends are made safe to retry
 * by event ids, which this client makes (UUIDv7) for every event that has none.
 */
export class SessionlogClient {
  /** @internal */
  readonly transport: Transport;

  constructor(options: SessionlogClientOptions) {
    if (!options || typeof options !== "object") throw new TypeError("options must be an object with a baseUrl");
    this.transport = new Transport(options);
  }

  /** POST /v1/sessions/{session_id}/events: 1 to 100 events, all stored in order or none. */
  async appendEvents(sessionId: string, request: AppendRequest): Promise<AppendResponse> {
    requireId("sessionId", sessionId);
    if (!request || !Array.isArray(request.events)) throw new TypeError("request.events must be an array of envelopes");
    const body: AppendRequest = { ...request, events: request.events.map(withEventId) };
    const answer = await this.transport.send<AppendResponse>({
      method: "POST",
      path: `/v1/sessions/${sessionId}/events`,
      body,
    });
    return answer.body;
  }

  /** POST events given as plain event objects, each wrapped in an envelope with a new id. */
  async append(sessionId: string, events: EventEnvelope["event"][], options: { expectedSeq?: number } = {}) {
    return this.appendEvents(sessionId, {
      expected_seq: options.expectedSeq,
      events: events.map((event) => ({ event_id: uuidv7(), event })),
    });
  }

  /** GET /v1/sessions/{session_id}/events: one page. */
  async readEvents(sessionId: string, options: ReadEventsOptions = {}): Promise<EventsPage> {
    requireId("sessionId", sessionId);
    const query: QueryOf<"readEvents"> & Record<string, unknown> = {
      after_seq: options.afterSeq,
      before_seq: options.beforeSeq,
      limit: options.limit,
      order: options.order,
      wait: options.wait,
    };
    const answer = await this.transport.send<EventsPage>({
      method: "GET",
      path: `/v1/sessions/${sessionId}/events`,
      query: { ...(query as Record<string, number | string | undefined>), types: options.types?.join(",") },
      // A held read answers within `wait` seconds; give it that plus the usual time.
      timeoutMs: options.wait === undefined ? undefined : options.wait * 1000 + 30_000,
      signal: options.signal,
    });
    return answer.body;
  }

  /** Every event of the session (all pages), oldest first, or newest first with `order: "desc"`. */
  async *events(sessionId: string, options: Omit<ReadEventsOptions, "wait"> = {}): AsyncGenerator<EventRecord> {
    const desc = options.order === "desc";
    let afterSeq = options.afterSeq;
    let beforeSeq = options.beforeSeq;
    for (;;) {
      const page = await this.readEvents(sessionId, { ...options, afterSeq, beforeSeq, limit: options.limit ?? 1000 });
      yield* page.events;
      const next = desc ? page.next_before_seq : page.next_after_seq;
      if (next === null || next === undefined) return;
      if (desc) beforeSeq = next;
      else afterSeq = next;
    }
  }

  /** GET /v1/sessions/{session_id}/head. */
  async getHead(sessionId: string): Promise<HeadResponse> {
    requireId("sessionId", sessionId);
    return (await this.transport.send<HeadResponse>({ method: "GET", path: `/v1/sessions/${sessionId}/head` })).body;
  }

  /** GET /v1/sessions/{session_id}/events/{event_id}/children: one page. */
  async listChildren(sessionId: string, eventId: string, options: { limit?: number; cursor?: string } = {}): Promise<ChildrenPage> {
    requireId("sessionId", sessionId);
    requireId("eventId", eventId);
    const answer = await this.transport.send<ChildrenPage>({
      method: "GET",
      path: `/v1/sessions/${sessionId}/events/${eventId}/children`,
      query: { limit: options.limit, cursor: options.cursor },
    });
    return answer.body;
  }

  /** Every child of the event (all pages). */
  async *children(sessionId: string, eventId: string, options: { limit?: number } = {}): AsyncGenerator<ChildRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.listChildren(sessionId, eventId, { limit: options.limit ?? 1000, cursor });
      yield* page.children;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** GET /v1/sessions/{session_id}: the materialized session. */
  async getSession(sessionId: string): Promise<Session> {
    requireId("sessionId", sessionId);
    return (await this.transport.send<Session>({ method: "GET", path: `/v1/sessions/${sessionId}` })).body;
  }

  /** GET /v1/sessions/{session_id}/loops/{loop_id}: the loop, or a page of its messages or turns. */
  async getLoop(sessionId: string, loopId: string, options: LoopPartOptions = {}): Promise<Loop | LoopPartPage> {
    requireId("sessionId", sessionId);
    if (typeof loopId !== "string" || loopId.length === 0) throw new TypeError("loopId must be a non-empty string");
    const answer = await this.transport.send<Loop | LoopPartPage>({
      method: "GET",
      path: `/v1/sessions/${sessionId}/loops/${encodeURIComponent(loopId)}`,
      query: { part: options.part, after: options.after, limit: options.limit },
    });
    return answer.body;
  }

  /** GET /v1/sessions: one page of the tenant's sessions, newest activity first. */
  async listSessions(options: ListSessionsOptions = {}): Promise<SessionList> {
    const query: QueryOf<"listSessions"> = {
      agent_id: options.agentId,
      active_since: options.activeSince,
      forked_from: options.forkedFrom,
      limit: options.limit,
      cursor: options.cursor,
    };
    return (await this.transport.send<SessionList>({ method: "GET", path: "/v1/sessions", query: { ...query } })).body;
  }

  /** Every session of the tenant (all pages). The list lags appends by a second or two. */
  async *sessions(options: Omit<ListSessionsOptions, "cursor"> = {}): AsyncGenerator<SessionSummary> {
    let cursor: string | undefined;
    do {
      const page = await this.listSessions({ ...options, limit: options.limit ?? 1000, cursor });
      yield* page.sessions;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** POST /v1/sessions/{session_id}/fork. */
  async forkSession(sessionId: string, request: ForkRequest): Promise<ForkResponse> {
    requireId("sessionId", sessionId);
    requireId("request.new_session_id", request?.new_session_id);
    const answer = await this.transport.send<ForkResponse>({
      method: "POST",
      path: `/v1/sessions/${sessionId}/fork`,
      body: request,
    });
    return answer.body;
  }

  /** DELETE /v1/sessions/{session_id}: 202 while the erasure runs; 410 `session_erased` after. */
  async eraseSession(sessionId: string): Promise<EraseResponse> {
    requireId("sessionId", sessionId);
    return (await this.transport.send<EraseResponse>({ method: "DELETE", path: `/v1/sessions/${sessionId}` })).body;
  }

  /** GET /v1/sessions/{session_id}/verify. */
  async verifySession(sessionId: string, options: VerifyOptions = {}): Promise<VerifyResult> {
    requireId("sessionId", sessionId);
    const query: QueryOf<"verifySession"> = {
      from_seq: options.fromSeq,
      through_seq: options.throughSeq,
      receipt_seq: options.receiptSeq,
      receipt_chain: options.receiptChain,
    };
    const answer = await this.transport.send<VerifyResult>({
      method: "GET",
      path: `/v1/sessions/${sessionId}/verify`,
      query: { ...query },
    });
    return answer.body;
  }

  /**
   * POST /v1/sessions/{session_id}/follow: the follow API's WebSocket URL with a one-time ticket
   * (good for one connection within 60 s). `follow` uses it; 404 `follow_unavailable` where the
   * service pushes nothing.
   */
  async followSession(sessionId: string): Promise<FollowTicket> {
    requireId("sessionId", sessionId);
    return (await this.transport.send<FollowTicket>({ method: "POST", path: `/v1/sessions/${sessionId}/follow` })).body;
  }

  /**
   * POST /v1/follow: a ticket to follow the tenant's list of sessions; its connection receives
   * `{"type":"sessions","sessions":[{"session_id","head_seq"}]}` per stream batch.
   */
  async followSessions(): Promise<FollowTicket> {
    return (await this.transport.send<FollowTicket>({ method: "POST", path: "/v1/follow" })).body;
  }

  /** GET /ui/: the timeline page's HTML. */
  async getTimelinePage(): Promise<string> {
    return (await this.transport.send<string>({ method: "GET", path: "/ui/", text: true })).body;
  }

  /** GET /ui/{file}: one of the timeline page's files. */
  async getTimelineFile(file: "index.html" | "app.js" | "app.css"): Promise<string> {
    if (!["index.html", "app.js", "app.css"].includes(file)) {
      throw new TypeError(`file must be index.html, app.js or app.css (was ${JSON.stringify(file)})`);
    }
    return (await this.transport.send<string>({ method: "GET", path: `/ui/${file}`, text: true })).body;
  }

  /** POST /_local/rebuild/{session_id}: the local runner's rebuild of a materialized session. */
  async localRebuildSession(sessionId: string): Promise<RebuildResponse> {
    requireId("sessionId", sessionId);
    return (await this.transport.send<RebuildResponse>({ method: "POST", path: `/_local/rebuild/${sessionId}` })).body;
  }

  /**
   * A batching writer for one session: events sent within `lingerMs` (default 50) or up to
   * `maxBatch` (default 100) go in one append, in order, with one request in flight.
   */
  producer(sessionId: string, options: ProducerOptions = {}): Producer {
    requireId("sessionId", sessionId);
    return new Producer(this, sessionId, options);
  }

  /**
   * Catches up with the session from `afterSeq` (default 0), then follows it: pushed over the follow
   * API's WebSocket where the service offers it and the platform has a WebSocket (or one is given),
   * with held reads (`wait=`) otherwise. Its `afterSeq` is the position to resume from after a stop.
   */
  follow(sessionId: string, options: FollowOptions = {}): FollowIterator {
    requireId("sessionId", sessionId);
    return follow(this, sessionId, options);
  }
}

function withEventId(envelope: EventEnvelope, index: number): EventEnvelope {
  if (!envelope || typeof envelope !== "object" || !envelope.event || typeof envelope.event !== "object") {
    throw new TypeError(`request.events[${index}] must be an envelope {event_id?, event: {type, ...}}`);
  }
  if (envelope.event_id === undefined || envelope.event_id === null) return { ...envelope, event_id: uuidv7() };
  requireId(`request.events[${index}].event_id`, envelope.event_id);
  return envelope;
}

export { SessionlogError };
