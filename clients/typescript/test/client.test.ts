import { describe, expect, it } from "vitest";
import { SessionlogClient, SessionlogError, type EventRecord } from "../src/index.js";
import { FaultyProxy } from "./support/faultyProxy.js";
import { freshClient, freshTenant, serviceUrl } from "./support/service.js";

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch((error) => error as T);
    if (done(value)) return value;
    if (Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const agentStart = (session: string) => ({
  type: "AgentStart",
  agent_id: "a1",
  session_id: session,
  loop_id: `${session}.m.0`,
  timestamp: "2026-11-21T10:00:00Z",
});

describe("SessionlogClient", () => {
  it("appends, reads both ways with a type filter, and reads the head", async () => {
    const client = freshClient();
    const first = await client.appendEvents("s1", { expected_seq: 0, events: [{ event: agentStart("s1") }] });
    expect(first).toMatchObject({ session_id: "s1", head_seq: 1, events: [{ seq: 1, duplicate: false }] });
    expect(first.events[0]!.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/); // a client-made UUIDv7
    const more = await client.append("s1", [{ type: "Note", n: 1 }, { type: "Other" }, { type: "Note", n: 2 }], { expectedSeq: 1 });
    expect(more.events.map((e) => e.seq)).toEqual([2, 3, 4]);

    const page = await client.readEvents("s1", { afterSeq: 0, limit: 2 });
    expect(page.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(page.next_after_seq).toBe(2);
    const newest = await client.readEvents("s1", { order: "desc", limit: 1 });
    expect(newest.events[0]!.event).toEqual({ type: "Note", n: 2 });
    const notes: EventRecord[] = [];
    for await (const record of client.events("s1", { types: ["Note"], limit: 1 })) notes.push(record);
    expect(notes.map((r) => r.seq)).toEqual([2, 4]);
    const backwards: number[] = [];
    for await (const record of client.events("s1", { order: "desc", limit: 3 })) backwards.push(record.seq);
    expect(backwards).toEqual([4, 3, 2, 1]);
    const head = await client.getHead("s1");
    expect(head.head_seq).toBe(4);
    expect(head.event.chain).toBe(more.chain);
  });

  it("answers errors as SessionlogError with code, status and the body's fields", async () => {
    const client = freshClient();
    await client.append("s1", [{ type: "A" }]);
    const conflict = await client.append("s1", [{ type: "B" }], { expectedSeq: 0 }).catch((e) => e);
    expect(conflict).toBeInstanceOf(SessionlogError);
    expect(conflict).toMatchObject({ code: "seq_conflict", status: 409, headSeq: 1 });
    const missing = await client.getHead("nope").catch((e) => e);
    expect(missing).toMatchObject({ code: "session_not_found", status: 404 });
    const bad = await client.readEvents("s1", { limit: 0 }).catch((e) => e);
    expect(bad).toMatchObject({ code: "invalid_request", status: 400 });
    expect(bad.message).toContain("limit");
    await expect(client.getHead("not valid!")).rejects.toThrow(/sessionId must be 1 to 128 characters/);
    expect(() => new SessionlogClient({ baseUrl: "localhost" })).toThrow(/baseUrl/);
  });

  it("a retried append with the same event ids is a duplicate, and a mix is partial_duplicate", async () => {
    const client = freshClient();
    const request = { events: [{ event_id: "e-1", event: { type: "A" } }, { event_id: "e-2", event: { type: "B" } }] };
    await client.appendEvents("s1", request);
    const again = await client.appendEvents("s1", request);
    expect(again.events.map((e) => [e.seq, e.duplicate])).toEqual([[1, true], [2, true]]);
    const mixed = await client
      .appendEvents("s1", { events: [{ event_id: "e-2", event: { type: "B" } }, { event_id: "e-3", event: { type: "C" } }] })
      .catch((e) => e);
    expect(mixed).toMatchObject({ code: "partial_duplicate", storedEventIds: ["e-2"] });
  });

  it("lists children across sessions (all pages)", async () => {
    const client = freshClient();
    await client.appendEvents("parent", { events: [{ event_id: "call", event: { type: "ToolCall" } }] });
    for (const child of ["c1", "c2", "c3"]) {
      await client.appendEvents(child, {
        events: [{ event_id: "x", parent_event_id: "call", parent_session_id: "parent", event: { type: "Sub" } }],
      });
    }
    const children = await eventually(
      async () => {
        const found: string[] = [];
        for await (const child of client.children("parent", "call", { limit: 2 })) found.push(child.session_id);
        return found.sort();
      },
      (found) => Array.isArray(found) && found.length === 3,
    );
    expect(children).toEqual(["c1", "c2", "c3"]);
    const page = await client.listChildren("parent", "call", { limit: 1 });
    expect(page.children).toHaveLength(1);
    expect(page.next_cursor).not.toBeNull();
  });

  it("reads the materialized session and its loop, lists sessions, rebuilds, forks, verifies and erases", async () => {
    const client = freshClient();
    const appended = await client.append("s1", [agentStart("s1"), { type: "Note" }]);
    const session = await eventually(
      () => client.getSession("s1"),
      (s) => (s as { recorded_through_seq?: number }).recorded_through_seq === 2,
    );
    expect(session).toMatchObject({ session_id: "s1", agent_id: "a1", head_seq: 2 });
    expect(session.loops.map((l) => l.loop_id)).toEqual(["s1.m.0"]);
    const loop = await client.getLoop("s1", "s1.m.0");
    expect(loop).toMatchObject({ loop_id: "s1.m.0", session_id: "s1" });
    const turns = await client.getLoop("s1", "s1.m.0", { part: "turns", after: 0, limit: 10 });
    expect(turns).toMatchObject({ part: "turns", next_after: null });
    const rebuilt = await client.localRebuildSession("s1");
    expect(rebuilt.rebuilt).toMatchObject({ session_id: "s1", recorded_through_seq: 2, loop_count: 1 });

    const fork = await client.forkSession("s1", { new_session_id: "s1-fork", at_seq: 1 });
    expect(fork).toEqual({ session_id: "s1-fork", forked_from: { session_id: "s1", seq: 1 }, head_seq: 1 });
    expect(await client.forkSession("s1", { new_session_id: "s1-fork", at_seq: 1 })).toEqual(fork);

    const listed = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const s of client.sessions({ limit: 1 })) ids.push(s.session_id);
        return ids.sort();
      },
      (ids) => Array.isArray(ids) && ids.length === 2,
    );
    expect(listed).toEqual(["s1", "s1-fork"]);
    const forks = await eventually(
      () => client.listSessions({ forkedFrom: "s1" }),
      (page) => (page as { sessions?: unknown[] }).sessions?.length === 1,
    );
    expect(forks.sessions[0]!.session_id).toBe("s1-fork");

    const verified = await client.verifySession("s1", { receiptSeq: 2, receiptChain: appended.chain! });
    expect(verified).toMatchObject({ ok: true, through_seq: 2, receipt_ok: true, next_from_seq: null });

    expect(await client.eraseSession("s1")).toEqual({ session_id: "s1", status: "erasing" });
    expect(await client.getHead("s1").catch((e) => e.code)).toBe("session_not_found");
    expect(await client.append("s1", [{ type: "Late" }]).catch((e) => e.code)).toBe("session_erasing");
    expect((await client.readEvents("s1-fork")).events).toHaveLength(1);
  });

  it("serves the timeline page's files", async () => {
    const client = freshClient();
    expect(await client.getTimelinePage()).toContain("<html");
    expect(await client.getTimelineFile("app.js")).toContain("function");
    expect(await client.getTimelineFile("app.css")).toMatch(/\{/);
    await expect(client.getTimelineFile("x.png" as "app.js")).rejects.toThrow(/file must be/);
  });

  it("sends the tenant and the token it is given", async () => {
    const tenant = freshTenant();
    let seen: Headers | undefined;
    const client = new SessionlogClient({
      baseUrl: serviceUrl(),
      tenant,
      token: async () => "jwt-1",
      fetch: async (url, init) => {
        seen = new Headers(init?.headers);
        return fetch(url, init);
      },
    });
    await client.append("s1", [{ type: "A" }]);
    expect(seen?.get("x-tenant-id")).toBe(tenant);
    expect(seen?.get("authorization")).toBe("Bearer jwt-1");
    // Another tenant sees nothing of it.
    expect(await freshClient().getHead("s1").catch((e) => e.code)).toBe("session_not_found");
  });
});

describe("retries", () => {
  it("a lost answer is retried with the same event ids and stores each event once", async () => {
    const proxy = new FaultyProxy(serviceUrl());
    const url = await proxy.start();
    try {
      const tenant = freshTenant();
      const client = new SessionlogClient({ baseUrl: url, tenant, retry: { baseDelayMs: 10 } });
      proxy.inject({ method: "POST", pathPrefix: "/v1/sessions/s1/events", fault: "lose-answer", times: 2 });
      const answer = await client.append("s1", [{ type: "A" }, { type: "B" }]);
      // The third attempt found both events stored by the first: a duplicate answer is a success.
      expect(answer.events.map((e) => [e.seq, e.duplicate])).toEqual([[1, true], [2, true]]);
      expect(proxy.log.filter((l) => l.method === "POST").map((l) => l.outcome)).toEqual(["lose-answer", "lose-answer", "forwarded"]);
      const stored = await new SessionlogClient({ baseUrl: serviceUrl(), tenant }).readEvents("s1");
      expect(stored.events.map((e) => e.event.type)).toEqual(["A", "B"]);
      expect(stored.head_seq).toBe(2);
    } finally {
      await proxy.stop();
    }
  });

  it("503 and 429 are sent again; other errors are not", async () => {
    const proxy = new FaultyProxy(serviceUrl());
    const url = await proxy.start();
    try {
      const client = new SessionlogClient({ baseUrl: url, tenant: freshTenant(), retry: { baseDelayMs: 10 } });
      proxy.inject({ method: "POST", pathPrefix: "/v1/sessions/s1/events", fault: "503", times: 1 });
      proxy.inject({ method: "POST", pathPrefix: "/v1/sessions/s1/events", fault: "429", times: 1 });
      const answer = await client.append("s1", [{ type: "A" }]);
      expect(answer.events[0]).toMatchObject({ seq: 1, duplicate: false });
      expect(proxy.log.map((l) => l.outcome)).toEqual(["503", "429", "forwarded"]);
      proxy.inject({ method: "GET", pathPrefix: "/v1/sessions/s1/head", fault: "503", times: 10 });
      const limited = new SessionlogClient({ baseUrl: url, tenant: freshTenant(), retry: { retries: 2, baseDelayMs: 1 } });
      await expect(limited.getHead("s1")).rejects.toMatchObject({ code: "unavailable", status: 503 });
      const before = proxy.log.length;
      await expect(client.append("s1", [{ type: "B" }], { expectedSeq: 0 })).rejects.toMatchObject({ code: "seq_conflict" });
      expect(proxy.log.length - before).toBe(1);
    } finally {
      await proxy.stop();
    }
  });
});
