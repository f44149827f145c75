import {
  BaseSessionService,
  State,
  type AppendEventRequest,
  type CreateSessionRequest,
  type DeleteSessionRequest,
  type Event,
  type GetSessionRequest,
  type ListSessionsRequest,
  type ListSessionsResponse,
  type Session,
} from "@google/adk";
import type { SessionlogClient } from "../client.js";
import { Conversations } from "../core/conversations.js";
import { baseSessionId, derivedSessionId, sha256Hex } from "../core/idMapping.js";
import { Registry } from "../core/registry.js";
import { isSessionlogError } from "../errors.js";
import { isValidId, uuidv7 } from "../ids.js";
import type { EventRecord } from "../types.js";

export const ADK_EVENT = "adk.Event";
export const STATE_DELTA = "adk.StateDelta";
const ADAPTER = "adk";
const CONVERSATION_START = "sessionlog.ConversationStart";

export interface SessionlogSessionServiceOptions {
  client: SessionlogClient;
}

type StateMap = Record<string, unknown>;

interface Owner {
  appName: string;
  userId: string;
  createdAt: number;
}

/** What a newest-first read of a session found. */
interface SessionRead {
  owner: Owner;
  events: Event[];
  state: StateMap;
  headSeq: number;
  lastUpdateTime: number;
}

/**
 * Google ADK's session service on sessionlog. An ADK session is the sessionlog session of its id
 * (mapped when not a valid id), opened by a ConversationStart holding its app, user and initial
 * state; each stored ADK event is one event, carrying the session-scope state after it when its
 * delta changed that state, so a read with `numRecentEvents` goes newest first and stops early.
 * `app:` and `user:` state live in sessions of their own (one per app, one per app and user), each
 * event holding the whole state after it: reading it is one head request. Each app's sessions are
 * listed through a registry session.
 */
export class SessionlogSessionService extends BaseSessionService {
  private readonly client: SessionlogClient;
  private readonly registries = new Map<string, Registry>();
  private readonly owners = new Map<string, Owner>();
  /** The session-scope state and head last seen per sessionlog session, for the next append. */
  private readonly heads = new Map<string, { headSeq: number; state: StateMap }>();

  constructor(options: SessionlogSessionServiceOptions) {
    super();
    if (!options?.client) throw new TypeError("SessionlogSessionService: options.client (a SessionlogClient) is required");
    this.client = options.client;
  }

  async createSession({ appName, userId, state, sessionId }: CreateSessionRequest): Promise<Session> {
    requireName("appName", appName);
    requireName("userId", userId);
    const id = sessionId || uuidv7();
    const { app, user, session } = splitState(state ?? {});
    const createdAt = Date.now();
    await this.updateScopeState(appStateSessionId(appName), app);
    await this.updateScopeState(userStateSessionId(appName, userId), user);
    try {
      const { ref } = await this.conversationsFor(appName).append(id, [], {
        expectedSeq: 0,
        startFields: { app_name: appName, user_id: userId, created_at: createdAt, state: session },
        registryFields: { user_id: userId, created_at: createdAt },
      });
      this.owners.set(ref.sessionId, { appName, userId, createdAt });
      this.heads.set(ref.sessionId, { headSeq: 1, state: session });
    } catch (error) {
      if (isSessionlogError(error, "seq_conflict")) throw new Error(`Session with id ${id} already exists.`);
      throw error;
    }
    return {
      id,
      appName,
      userId,
      state: mergeScopes(await this.scopeState(appStateSessionId(appName)), await this.scopeState(userStateSessionId(appName, userId)), session),
      events: [],
      lastUpdateTime: createdAt,
    };
  }

  async getSession({ appName, userId, sessionId, config }: GetSessionRequest): Promise<Session | undefined> {
    // As the in-memory service: 0 or no numRecentEvents means all events.
    const read = await this.read(appName, userId, sessionId, config?.numRecentEvents || undefined, config?.afterTimestamp);
    if (!read) return undefined;
    const [app, user] = await Promise.all([this.scopeState(appStateSessionId(appName)), this.scopeState(userStateSessionId(appName, userId))]);
    return { id: sessionId, appName, userId, state: mergeScopes(app, user, read.state), events: read.events, lastUpdateTime: read.lastUpdateTime };
  }

  async listSessions({ appName, userId, limit, offset, page, order }: ListSessionsRequest): Promise<ListSessionsResponse> {
    requireName("appName", appName);
    const entries = (await this.registryFor(appName).list()).filter((e) => userId === undefined || e.fields["user_id"] === userId);
    // The last update of each: its head (one request each, a few at a time).
    const sessions: Session[] = [];
    for (let i = 0; i < entries.length; i += 8) {
      const batch = await Promise.all(
        entries.slice(i, i + 8).map(async (entry) => ({
          id: entry.conversationId,
          appName,
          userId: entry.fields["user_id"] as string,
          state: {},
          events: [],
          lastUpdateTime: await this.lastUpdate(entry.sessionId, entry.fields["created_at"] as number),
        })),
      );
      sessions.push(...batch);
    }
    if (order) {
      const sign = order === "asc" ? 1 : -1;
      sessions.sort((a, b) => sign * (a.lastUpdateTime - b.lastUpdateTime) || a.id.localeCompare(b.id));
    }
    const totalItems = sessions.length;
    if (limit === undefined) {
      return { sessions: offset ? sessions.slice(offset) : sessions, page: 1, limit: totalItems, totalItems, totalPages: totalItems === 0 ? 0 : 1 };
    }
    const start = page !== undefined ? (page - 1) * limit : (offset ?? 0);
    return {
      sessions: sessions.slice(start, start + limit),
      page: page ?? (limit === 0 ? 1 : Math.floor(start / limit) + 1),
      limit,
      totalItems,
      totalPages: limit === 0 ? 0 : Math.ceil(totalItems / limit),
    };
  }

  /** Erases the session; the same id can be created again at once (in a new generation). */
  async deleteSession({ appName, userId, sessionId }: DeleteSessionRequest): Promise<void> {
    const ref = await this.conversationsFor(appName).resolve(sessionId);
    const owner = await this.ownerOf(ref.sessionId);
    if (!owner) return;
    requireSameOwner(sessionId, owner, appName, userId);
    await this.conversationsFor(appName).clear(sessionId);
    this.owners.delete(ref.sessionId);
    this.heads.delete(ref.sessionId);
  }

  override async appendEvent({ session, event }: AppendEventRequest): Promise<Event> {
    if (event.partial) return event;
    // The base class strips temp: keys and applies the delta to the caller's session object.
    await super.appendEvent({ session, event });
    const { app, user, session: sessionDelta } = splitState(event.actions?.stateDelta ?? {});
    await this.updateScopeState(appStateSessionId(session.appName), app);
    await this.updateScopeState(userStateSessionId(session.appName, session.userId), user);
    const conversations = this.conversationsFor(session.appName);
    const eventId = isValidId(event.id) ? event.id : `adk.${sha256Hex(String(event.id)).slice(0, 40)}`;
    for (;;) {
      const ref = await conversations.resolve(session.id);
      let head = this.heads.get(ref.sessionId);
      if (!head) {
        const read = await this.read(session.appName, session.userId, session.id, 0, undefined);
        if (!read) throw new Error(`appendEvent: session ${session.id} of app ${session.appName} does not exist`);
        head = { headSeq: read.headSeq, state: read.state };
      }
      const changed = Object.keys(sessionDelta).length > 0;
      const state = changed ? { ...head.state, ...sessionDelta } : head.state;
      const stored: Record<string, unknown> = { type: ADK_EVENT, event: JSON.parse(JSON.stringify(event)) };
      if (changed) stored["state"] = state;
      try {
        const { answer } = await conversations.append(session.id, [{ event_id: eventId, event: stored as { type: string } }], {
          expectedSeq: head.headSeq,
        });
        // An event id appended twice is stored once: the duplicate changes nothing.
        if (!answer.events[0]!.duplicate) this.heads.set(ref.sessionId, { headSeq: answer.head_seq, state });
        else this.heads.delete(ref.sessionId);
        return event;
      } catch (error) {
        if (!isSessionlogError(error, "seq_conflict", "session_erasing", "session_erased")) throw error;
        // Someone else appended (or cleared): read the head again and recompute.
        this.heads.delete(ref.sessionId);
      }
    }
  }

  /**
   * Reads newest first until it has the newest `numRecentEvents` (all when undefined), the
   * events at or after `afterTimestamp`, and the newest session-scope state.
   */
  private async read(appName: string, userId: string, sessionId: string, numRecentEvents: number | undefined, afterTimestamp: number | undefined): Promise<SessionRead | undefined> {
    requireName("appName", appName);
    requireName("userId", userId);
    const ref = await this.conversationsFor(appName).resolve(sessionId);
    const owner = await this.ownerOf(ref.sessionId);
    if (!owner) return undefined;
    requireSameOwner(sessionId, owner, appName, userId);
    const events: Event[] = [];
    let state: StateMap | undefined;
    let headSeq = 0;
    let lastUpdateTime: number | undefined;
    let wantEvents = true;
    try {
      for await (const record of this.client.events(ref.sessionId, { order: "desc", limit: 100 })) {
        headSeq ||= record.seq;
        const stored = record.event as Record<string, unknown>;
        if (stored["type"] === CONVERSATION_START) {
          state ??= (stored["state"] as StateMap) ?? {};
          lastUpdateTime ??= owner.createdAt;
          break;
        }
        if (stored["type"] !== ADK_EVENT) continue;
        const event = stored["event"] as Event;
        lastUpdateTime ??= event.timestamp;
        if (stored["state"] !== undefined) state ??= stored["state"] as StateMap;
        if (wantEvents && numRecentEvents !== undefined && events.length >= numRecentEvents) wantEvents = false;
        if (wantEvents && afterTimestamp !== undefined && event.timestamp < afterTimestamp) wantEvents = false;
        if (wantEvents) events.push(event);
        if (!wantEvents && state !== undefined) break;
      }
    } catch (error) {
      if (isSessionlogError(error, "session_not_found")) return undefined;
      throw error;
    }
    ref.started = true;
    this.heads.set(ref.sessionId, { headSeq, state: state ?? {} });
    return { owner, events: events.reverse(), state: state ?? {}, headSeq, lastUpdateTime: lastUpdateTime ?? owner.createdAt };
  }

  /** The app and user an ADK session was created with (its first event), cached: they never change. */
  private async ownerOf(storedId: string): Promise<Owner | undefined> {
    const cached = this.owners.get(storedId);
    if (cached) return cached;
    let first: EventRecord | undefined;
    try {
      first = (await this.client.readEvents(storedId, { afterSeq: 0, limit: 1 })).events[0];
    } catch (error) {
      if (isSessionlogError(error, "session_not_found")) return undefined;
      throw error;
    }
    const start = first?.event as Record<string, unknown> | undefined;
    if (!start || start["type"] !== CONVERSATION_START || start["adapter"] !== ADAPTER) {
      throw new Error(`sessionlog session ${storedId} is not an ADK session (its first event is ${JSON.stringify(start?.["type"])})`);
    }
    const owner = { appName: start["app_name"] as string, userId: start["user_id"] as string, createdAt: start["created_at"] as number };
    this.owners.set(storedId, owner);
    return owner;
  }

  private async lastUpdate(storedId: string, createdAt: number): Promise<number> {
    try {
      const head = await this.client.getHead(storedId);
      const stored = head.event.event as Record<string, unknown>;
      return stored["type"] === ADK_EVENT ? ((stored["event"] as Event).timestamp ?? createdAt) : createdAt;
    } catch (error) {
      if (isSessionlogError(error, "session_not_found")) return createdAt;
      throw error;
    }
  }

  /** `app:` or `user:` state: the newest event of its session holds the whole of it. */
  private async scopeState(storedId: string): Promise<StateMap> {
    try {
      return ((await this.client.getHead(storedId)).event.event["state"] as StateMap) ?? {};
    } catch (error) {
      if (isSessionlogError(error, "session_not_found")) return {};
      throw error;
    }
  }

  private async updateScopeState(storedId: string, delta: StateMap): Promise<void> {
    if (Object.keys(delta).length === 0) return;
    const eventId = uuidv7();
    for (;;) {
      let headSeq = 0;
      let state: StateMap = {};
      try {
        const head = await this.client.getHead(storedId);
        headSeq = head.head_seq;
        state = (head.event.event["state"] as StateMap) ?? {};
      } catch (error) {
        if (!isSessionlogError(error, "session_not_found")) throw error;
      }
      try {
        // Conditional on the head read: concurrent writers of the same scope never lose a key.
        await this.client.appendEvents(storedId, {
          expected_seq: headSeq,
          events: [{ event_id: eventId, event: { type: STATE_DELTA, delta, state: { ...state, ...delta } } }],
        });
        return;
      } catch (error) {
        if (!isSessionlogError(error, "seq_conflict")) throw error;
      }
    }
  }

  private registryFor(appName: string): Registry {
    let registry = this.registries.get(appName);
    if (!registry) {
      registry = new Registry(this.client, derivedSessionId("_sl.r.adk.", baseSessionId(appName)));
      this.registries.set(appName, registry);
    }
    return registry;
  }

  /** One Conversations per app, so that each app's registry lists its sessions. */
  private readonly perApp = new Map<string, Conversations>();
  private conversationsFor(appName: string): Conversations {
    let conversations = this.perApp.get(appName);
    if (!conversations) {
      conversations = new Conversations(this.client, { adapter: ADAPTER, registry: this.registryFor(appName) });
      this.perApp.set(appName, conversations);
    }
    return conversations;
  }
}

export function appStateSessionId(appName: string): string {
  return derivedSessionId("_sl.adk.app.", baseSessionId(appName));
}

export function userStateSessionId(appName: string, userId: string): string {
  return derivedSessionId("_sl.adk.user.", baseSessionId(JSON.stringify([appName, userId])));
}

function splitState(state: StateMap): { app: StateMap; user: StateMap; session: StateMap } {
  const app: StateMap = {};
  const user: StateMap = {};
  const session: StateMap = {};
  for (const [key, value] of Object.entries(state)) {
    if (key.startsWith(State.APP_PREFIX)) app[key.slice(State.APP_PREFIX.length)] = value;
    else if (key.startsWith(State.USER_PREFIX)) user[key.slice(State.USER_PREFIX.length)] = value;
    else if (!key.startsWith(State.TEMP_PREFIX)) session[key] = value;
  }
  return { app, user, session };
}

function mergeScopes(app: StateMap, user: StateMap, session: StateMap): StateMap {
  const merged: StateMap = { ...session };
  for (const [k, v] of Object.entries(app)) merged[State.APP_PREFIX + k] = v;
  for (const [k, v] of Object.entries(user)) merged[State.USER_PREFIX + k] = v;
  return merged;
}

function requireName(name: string, value: unknown): void {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${name} must be a non-empty string (was ${JSON.stringify(value)})`);
}

function requireSameOwner(sessionId: string, owner: Owner, appName: string, userId: string): void {
  if (owner.appName !== appName || owner.userId !== userId) {
    throw new Error(
      `ADK session ${JSON.stringify(sessionId)} belongs to app ${JSON.stringify(owner.appName)} and user ${JSON.stringify(owner.userId)}, ` +
        `not to app ${JSON.stringify(appName)} and user ${JSON.stringify(userId)}: an id names one session across apps and users`,
    );
  }
}
