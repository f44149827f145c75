import { Agent, Runner, Usage, tool, type AgentInputItem, type Model, type ModelProvider, type ModelRequest, type ModelResponse } from "@openai/agents-core";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { SessionlogSession } from "../src/openai-agents/index.js";
import { baseSessionId, conversationSessionId } from "../src/core/idMapping.js";
import { freshClient } from "./support/service.js";

/** A model that answers from a script and keeps every input it was given. */
class ScriptedModel implements Model {
  readonly inputs: AgentInputItem[][] = [];
  constructor(private readonly script: ModelResponse["output"][]) {}
  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.inputs.push(typeof request.input === "string" ? [{ role: "user", content: request.input }] : structuredClone(request.input));
    const output = this.script.shift();
    if (!output) throw new Error("the script has no more answers");
    return { usage: new Usage(), output, responseId: `resp-${this.inputs.length}` };
  }
  // eslint-disable-next-line require-yield
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error("not scripted");
  }
}

const say = (text: string): ModelResponse["output"][number] => ({
  type: "message",
  role: "assistant",
  status: "completed",
  content: [{ type: "output_text", text }],
});

function runnerFor(model: Model): Runner {
  const provider: ModelProvider = { getModel: async () => model };
  return new Runner({ modelProvider: provider, tracingDisabled: true });
}

const add = tool({
  name: "add",
  description: "Adds two numbers",
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: async ({ a, b }) => String(a + b),
});

const text = (items: AgentInputItem[]) => items.map((i) => JSON.stringify(i));

describe("SessionlogSession driven by the Agents SDK's run()", () => {
  it("keeps history across runs and through compaction, and a fresh session object continues it", async () => {
    const client = freshClient();
    const model = new ScriptedModel([
      [{ type: "function_call", callId: "call-1", name: "add", arguments: JSON.stringify({ a: 2, b: 3 }), status: "completed" }],
      [say("2 + 3 = 5")],
      [say("still 5")],
      [{ type: "compaction", encrypted_content: "summary-of-everything" }, say("compacted")],
      [say("after compaction")],
    ]);
    const agent = new Agent({ name: "calc", instructions: "add numbers", model, tools: [add] });
    const runner = runnerFor(model);
    const session = new SessionlogSession({ client, sessionId: "conv-1" });

    const first = await runner.run(agent, "add 2 and 3", { session });
    expect(first.finalOutput).toBe("2 + 3 = 5");
    const second = await runner.run(agent, "and now?", { session });
    expect(second.finalOutput).toBe("still 5");
    // The third model call saw the whole history: question, tool call, its result, answer, new question.
    expect(text(model.inputs[2]!).join("\n")).toMatch(/add 2 and 3[\s\S]*call-1[\s\S]*"output"[\s\S]*2 \+ 3 = 5[\s\S]*and now\?/);

    const third = await runner.run(agent, "compact please", { session });
    expect(third.finalOutput).toBe("compacted");
    const history = await session.getItems();
    expect((history[0] as { type?: string }).type).toBe("compaction");
    // Compaction appended: the log still holds everything before it (append-only, readable with curl).
    const stored: string[] = [];
    for await (const record of client.events("conv-1")) stored.push(record.event.type);
    expect(stored[0]).toBe("sessionlog.ConversationStart");
    expect(stored.filter((t) => t === "openai_agents.Item").length).toBeGreaterThan(history.length);

    const fresh = new SessionlogSession({ client, sessionId: "conv-1" });
    const fourth = await runnerFor(model).run(agent, "continue", { session: fresh });
    expect(fourth.finalOutput).toBe("after compaction");
    const lastInput = model.inputs[4]!;
    expect((lastInput[0] as { type?: string }).type).toBe("compaction");
    expect(text(lastInput).join("\n")).not.toContain("add 2 and 3");
    expect(text(lastInput).at(-1)).toContain("continue");
  });

  it("clearSession erases, the same id is usable at once, and a fresh object finds the new generation", async () => {
    const client = freshClient();
    const model = new ScriptedModel([[say("one")], [say("two")]]);
    const agent = new Agent({ name: "a", model });
    const session = new SessionlogSession({ client, sessionId: "conv-2" });
    await runnerFor(model).run(agent, "first", { session });
    expect(await session.getItems()).toHaveLength(2);
    await session.clearSession();
    expect(await session.getItems()).toEqual([]);
    expect(await client.getHead("conv-2").catch((e) => e.code)).toBe("session_not_found");
    await runnerFor(model).run(agent, "second", { session });
    expect(model.inputs[1]).toHaveLength(1); // nothing of the cleared history reached the model
    const fresh = new SessionlogSession({ client, sessionId: "conv-2" });
    expect(text(await fresh.getItems()).join()).toMatch(/second[\s\S]*two/);
    expect((await client.getHead(conversationSessionId("conv-2", 2))).head_seq).toBe(3);
  });
});

describe("SessionlogSession", () => {
  const user = (content: string): AgentInputItem => ({ role: "user", content });

  it("getItems(limit) returns the newest items oldest first; popItem removes the newest by appending", async () => {
    const client = freshClient();
    const session = new SessionlogSession({ client });
    await session.addItems([user("a"), user("b"), user("c"), user("d")]);
    expect(await session.getItems(2)).toEqual([user("c"), user("d")]);
    expect(await session.popItem()).toEqual(user("d"));
    expect(await session.popItem()).toEqual(user("c"));
    expect(await session.getItems()).toEqual([user("a"), user("b")]);
    expect(await session.getItems(10)).toEqual([user("a"), user("b")]);
    const sessionId = await session.getSessionId();
    expect((await client.getHead(sessionId)).head_seq).toBe(7); // start, 4 items, 2 removals
    await session.addItems([user("e")]);
    expect(await session.getItems(3)).toEqual([user("a"), user("b"), user("e")]);
    expect(await new SessionlogSession({ client }).popItem()).toBeUndefined();
    await expect(session.getItems(-1)).rejects.toThrow(/limit must be a non-negative integer/);
  });

  it("applyHistoryTransaction is atomic, idempotent per operationId, and refuses a changed transaction or suffix", async () => {
    const client = freshClient();
    const session = new SessionlogSession({ client, sessionId: "tx" });
    await session.addItems([user("a"), user("b")]);
    const append = { operationId: "op-1", transaction: { type: "append_items" as const, items: [user("c"), user("d")] } };
    await session.applyHistoryTransaction(append);
    await session.applyHistoryTransaction(append); // a retry: nothing new
    expect(await session.getItems()).toEqual([user("a"), user("b"), user("c"), user("d")]);
    await expect(
      session.applyHistoryTransaction({ operationId: "op-1", transaction: { type: "append_items", items: [user("x"), user("y")] } }),
    ).rejects.toThrow(/already applied with a different transaction/);
    await expect(
      session.applyHistoryTransaction({ operationId: "op-1", transaction: { type: "append_items", items: [user("x")] } }),
    ).rejects.toThrow(/already applied with a different transaction/);

    const replace = {
      operationId: "op-2",
      transaction: { type: "replace_suffix" as const, expectedSuffix: [user("c"), user("d")], replacement: [user("C")] },
    };
    await session.applyHistoryTransaction(replace);
    expect(await session.getItems()).toEqual([user("a"), user("b"), user("C")]);
    await session.applyHistoryTransaction(replace); // retried after it applied: still a success, once
    expect(await session.getItems()).toEqual([user("a"), user("b"), user("C")]);
    await expect(
      session.applyHistoryTransaction({
        operationId: "op-3",
        transaction: { type: "replace_suffix", expectedSuffix: [user("nope")], replacement: [] },
      }),
    ).rejects.toThrow(/suffix no longer matches/);
    const tooMany = Array.from({ length: 100 }, (_, i) => user(`m${i}`));
    await expect(session.applyHistoryTransaction({ operationId: "op-4", transaction: { type: "append_items", items: tooMany } })).rejects.toThrow(
      /exceed one atomic append/,
    );
    expect(await session.getItems()).toEqual([user("a"), user("b"), user("C")]);
    await expect(session.applyHistoryTransaction({ operationId: " ", transaction: append.transaction })).rejects.toThrow(/operationId/);
  });

  it("maps an id that is not a valid session id reversibly, and keeps the original in the first event", async () => {
    const client = freshClient();
    const id = "user 42 / chat é";
    const session = new SessionlogSession({ client, sessionId: id });
    await session.addItems([user("hi")]);
    const stored = baseSessionId(id);
    expect(stored).toMatch(/^_sl\.x\.[a-z2-7]+$/);
    const first = (await client.readEvents(stored, { limit: 1 })).events[0]!;
    expect(first.event).toMatchObject({ type: "sessionlog.ConversationStart", conversation_id: id, generation: 1, adapter: "openai-agents" });
    expect(await new SessionlogSession({ client, sessionId: id }).getItems()).toEqual([user("hi")]);
  });
});
