import { BaseLlm, FunctionTool, LlmAgent, Runner, type BaseLlmConnection, type LlmRequest, type LlmResponse } from "@google/adk";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { SessionlogSessionService, appStateSessionId, userStateSessionId } from "../src/adk/index.js";
import { freshClient } from "./support/service.js";

/** A model that answers from a script and keeps how many contents each request carried. */
class ScriptedLlm extends BaseLlm {
  readonly requests: LlmRequest["contents"][] = [];
  constructor(private readonly script: LlmResponse[]) {
    super({ model: "scripted" });
  }
  async *generateContentAsync(request: LlmRequest): AsyncGenerator<LlmResponse, void> {
    this.requests.push(structuredClone(request.contents));
    const next = this.script.shift();
    if (!next) throw new Error("the script has no more answers");
    yield next;
  }
  async connect(): Promise<BaseLlmConnection> {
    throw new Error("not scripted");
  }
}

const text = (t: string): LlmResponse => ({ content: { role: "model", parts: [{ text: t }] } });
const call = (name: string, args: Record<string, unknown>): LlmResponse => ({
  content: { role: "model", parts: [{ functionCall: { id: `call-${name}`, name, args } }] },
});
const userSays = (t: string) => ({ role: "user", parts: [{ text: t }] });

// A tool that writes state in every scope: session, app:, user: and temp: (never stored).
const remember = new FunctionTool({
  name: "remember",
  description: "remembers a fact",
  parameters: z.object({ fact: z.string() }),
  execute: async ({ fact }, context) => {
    context!.state.set("last_fact", fact);
    context!.state.set("app:facts_seen", ((context!.state.get("app:facts_seen") as number) ?? 0) + 1);
    context!.state.set("user:favourite", fact);
    context!.state.set("temp:scratch", "never stored");
    return { ok: true };
  },
});

async function runTurn(runner: Runner, sessionId: string, message: string): Promise<string[]> {
  const texts: string[] = [];
  for await (const event of runner.runAsync({ userId: "u1", sessionId, newMessage: userSays(message) })) {
    if (event.errorMessage) texts.push(`error: ${event.errorCode} ${event.errorMessage}`);
    for (const part of event.content?.parts ?? []) if (part.text) texts.push(part.text);
  }
  return texts;
}

describe("SessionlogSessionService driven by ADK's Runner", () => {
  it("stores the loop's events and state in every scope, and a new service continues the session", async () => {
    const client = freshClient();
    const llm = new ScriptedLlm([call("remember", { fact: "blue" }), text("noted: blue"), text("you said blue")]);
    const agent = new LlmAgent({ name: "memo", model: llm, instruction: "remember facts", tools: [remember] });
    const service = new SessionlogSessionService({ client });
    const created = await service.createSession({ appName: "memo-app", userId: "u1", sessionId: "chat-1", state: { mood: "calm", "app:version": 1 } });
    expect(created.state).toEqual({ mood: "calm", "app:version": 1 });
    const listed = await service.listSessions({ appName: "memo-app", userId: "u1" });
    expect(listed.sessions.map((s) => s.id)).toEqual(["chat-1"]); // listed as soon as created

    const runner = new Runner({ appName: "memo-app", agent, sessionService: service });
    const firstTurn = await runTurn(runner, "chat-1", "my colour is blue");
    expect(firstTurn, firstTurn.join()).toContain("noted: blue");

    // A new service object (another process) continues the same session.
    const fresh = new SessionlogSessionService({ client });
    const session = await fresh.getSession({ appName: "memo-app", userId: "u1", sessionId: "chat-1" });
    expect(session!.state).toEqual({ mood: "calm", last_fact: "blue", "app:version": 1, "app:facts_seen": 1, "user:favourite": "blue" });
    expect(session!.events.map((e) => e.author)).toEqual(["user", "memo", "memo", "memo"]);
    expect(typeof session!.events[0]!.timestamp).toBe("number");
    const freshRunner = new Runner({ appName: "memo-app", agent, sessionService: fresh });
    expect(await runTurn(freshRunner, "chat-1", "what was it?")).toContain("you said blue");
    // The model saw the earlier turn: the history came back from sessionlog.
    expect(JSON.stringify(llm.requests[2])).toContain("my colour is blue");

    // temp: never reached the log; app: and user: live in their own sessions.
    const stored: string[] = [];
    for await (const record of client.events("chat-1")) stored.push(JSON.stringify(record.event));
    expect(stored.join()).not.toContain("never stored");
    expect((await client.getHead(appStateSessionId("memo-app"))).event.event["state"]).toEqual({ version: 1, facts_seen: 1 });
    expect((await client.getHead(userStateSessionId("memo-app", "u1"))).event.event["state"]).toEqual({ favourite: "blue" });
    // user: state is shared with the user's other sessions.
    const other = await fresh.createSession({ appName: "memo-app", userId: "u1", sessionId: "chat-2" });
    expect(other.state["user:favourite"]).toBe("blue");
  });

  it("reads newest events, after a timestamp; stores an event id once; skips partial events", async () => {
    const client = freshClient();
    const service = new SessionlogSessionService({ client });
    const session = await service.createSession({ appName: "a", userId: "u" });
    for (let i = 1; i <= 5; i++) {
      await service.appendEvent({ session, event: { id: `e${i}`, invocationId: "inv", author: "user", timestamp: 1000 * i, actions: { stateDelta: { n: i }, artifactDelta: {}, requestedAuthConfigs: {}, requestedToolConfirmations: {} } } as never });
    }
    await service.appendEvent({ session, event: { id: "e5", invocationId: "inv", author: "user", timestamp: 5000 } as never });
    await service.appendEvent({ session, event: { id: "p", invocationId: "inv", author: "user", timestamp: 6000, partial: true } as never });
    const recent = await new SessionlogSessionService({ client }).getSession({ appName: "a", userId: "u", sessionId: session.id, config: { numRecentEvents: 2 } });
    expect(recent!.events.map((e) => e.id)).toEqual(["e4", "e5"]);
    expect(recent!.state).toEqual({ n: 5 });
    const after = await service.getSession({ appName: "a", userId: "u", sessionId: session.id, config: { afterTimestamp: 3000 } });
    expect(after!.events.map((e) => e.id)).toEqual(["e3", "e4", "e5"]);
    const all = await service.getSession({ appName: "a", userId: "u", sessionId: session.id });
    expect(all!.events.map((e) => e.id)).toEqual(["e1", "e2", "e3", "e4", "e5"]);
  });

  it("lists only its own app's sessions, deletes, reuses an id at once, and refuses an id of another app or user", async () => {
    const client = freshClient();
    const service = new SessionlogSessionService({ client });
    await service.createSession({ appName: "app1", userId: "u1", sessionId: "s-1" });
    await service.createSession({ appName: "app1", userId: "u2", sessionId: "s-2" });
    await service.createSession({ appName: "app2", userId: "u1", sessionId: "s-3" });
    const all = await service.listSessions({ appName: "app1" });
    expect(all.sessions.map((s) => s.id).sort()).toEqual(["s-1", "s-2"]);
    expect((await service.listSessions({ appName: "app1", userId: "u2", limit: 1 })).sessions.map((s) => s.id)).toEqual(["s-2"]);
    await expect(service.createSession({ appName: "app1", userId: "u1", sessionId: "s-1" })).rejects.toThrow(/already exists/);
    await expect(service.getSession({ appName: "app2", userId: "u1", sessionId: "s-1" })).rejects.toThrow(/belongs to app "app1"/);

    await service.deleteSession({ appName: "app1", userId: "u1", sessionId: "s-1" });
    expect(await service.getSession({ appName: "app1", userId: "u1", sessionId: "s-1" })).toBeUndefined();
    expect((await service.listSessions({ appName: "app1" })).sessions.map((s) => s.id)).toEqual(["s-2"]);
    expect(await client.getHead("s-1").catch((e) => e.code)).toBe("session_not_found");
    await service.createSession({ appName: "app1", userId: "u1", sessionId: "s-1", state: { again: true } });
    const again = await new SessionlogSessionService({ client }).getSession({ appName: "app1", userId: "u1", sessionId: "s-1" });
    expect(again!.state).toEqual({ again: true });
  });
});
