import { Annotation, Command, END, START, StateGraph, interrupt } from "@langchain/langgraph";
import { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { SessionlogSaver } from "../src/langgraph/index.js";
import { freshClient } from "./support/service.js";

const Trip = Annotation.Root({
  request: Annotation<string>(),
  plan: Annotation<string>(),
  approved: Annotation<boolean>(),
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

function tripGraph() {
  return new StateGraph(Trip)
    .addNode("make_plan", (s) => ({ plan: `fly to ${s.request}`, log: ["planned"] }))
    .addNode("approve", () => {
      // Pauses the run until a human answers; the pause lives in the checkpointer.
      const answer = interrupt({ question: "book it?" }) as string;
      return { approved: answer === "yes", log: [`answered ${answer}`] };
    })
    .addNode("book", (s) => ({ log: [s.approved ? "booked" : "cancelled"] }))
    .addEdge(START, "make_plan")
    .addEdge("make_plan", "approve")
    .addEdge("approve", "book")
    .addEdge("book", END);
}

describe("SessionlogSaver driven by a compiled LangGraph StateGraph", () => {
  it("is a BaseCheckpointSaver of the user's own copy", () => {
    expect(new SessionlogSaver({ client: freshClient() })).toBeInstanceOf(BaseCheckpointSaver);
  });

  it("pauses at interrupt(), resumes through a new saver instance, and deleteThread starts the thread afresh", async () => {
    const client = freshClient();
    const config = { configurable: { thread_id: "trip-1" } };
    const first = tripGraph().compile({ checkpointer: new SessionlogSaver({ client }) });
    const paused = await first.invoke({ request: "Lisbon" }, config);
    expect((paused as unknown as Record<string, { value: unknown }[]>)["__interrupt__"]?.[0]?.value).toEqual({ question: "book it?" });
    expect((await first.getState(config)).next).toEqual(["approve"]);

    // Another process: a new saver object finds the paused thread in sessionlog and resumes it.
    const resumedGraph = tripGraph().compile({ checkpointer: new SessionlogSaver({ client }) });
    const state = await resumedGraph.getState(config);
    expect(state.next).toEqual(["approve"]);
    expect(state.values.plan).toBe("fly to Lisbon");
    const done = await resumedGraph.invoke(new Command({ resume: "yes" }), config);
    expect(done.log).toEqual(["planned", "answered yes", "booked"]);

    // The thread is the session "trip-1": readable with curl, the page and verify.
    const types: string[] = [];
    for await (const record of client.events("trip-1")) types.push(record.event.type);
    expect(types[0]).toBe("sessionlog.ConversationStart");
    expect(types).toContain("langgraph.Checkpoint");
    expect(types).toContain("langgraph.Writes");
    expect((await client.verifySession("trip-1")).ok).toBe(true);
    const history = [];
    for await (const snapshot of resumedGraph.getStateHistory(config)) history.push(snapshot);
    expect(history.length).toBeGreaterThanOrEqual(4);

    const saver = new SessionlogSaver({ client });
    await saver.deleteThread("trip-1");
    expect(await client.getHead("trip-1").catch((e) => e.code)).toBe("session_not_found");
    const again = tripGraph().compile({ checkpointer: new SessionlogSaver({ client }) });
    expect(await again.getState(config)).toMatchObject({ values: {}, next: [] });
    const pausedAgain = await again.invoke({ request: "Porto" }, config);
    expect(pausedAgain.plan).toBe("fly to Porto");
    expect((await again.invoke(new Command({ resume: "no" }), config)).log).toEqual(["planned", "answered no", "cancelled"]);
    const listed = [];
    for await (const tuple of saver.list({}, { limit: 1 })) listed.push(tuple.config.configurable?.thread_id);
    expect(listed).toEqual(["trip-1"]);
  });
});
