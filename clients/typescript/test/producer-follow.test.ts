import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SessionlogClient, type EventRecord, type WebSocketClass } from "../src/index.js";
import { freshClient, freshTenant, serviceUrl } from "./support/service.js";

describe("producer", () => {
  it("keeps order under concurrent sends and sends fewer requests than events", async () => {
    const client = freshClient();
    const producer = client.producer("s1");
    // Four concurrent writers, each in its own order; the producer must store them as sent.
    const sent: Promise<{ seq: number }>[] = [];
    const order: string[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(async (writer) => {
        for (let i = 0; i < 60; i++) {
          order.push(`${writer}-${i}`);
          sent.push(producer.send({ type: "Tick", id: `${writer}-${i}` }));
          if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
        }
      }),
    );
    await producer.close();
    const seqs = (await Promise.all(sent)).map((a) => a.seq);
    expect(seqs).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    const stored: string[] = [];
    for await (const record of client.events("s1")) stored.push(String(record.event["id"]));
    expect(stored).toEqual(order);
    expect(producer.requests).toBeLessThan(240 / 10);
    await expect(producer.send({ type: "Late" })).rejects.toThrow(/closed/);
  });

  it("sends a lone event after the linger, and flush waits for it", async () => {
    const client = freshClient();
    const producer = client.producer("s1", { lingerMs: 20 });
    const appended = producer.send({ type: "One" });
    await producer.flush();
    expect((await appended).seq).toBe(1);
    expect(producer.requests).toBe(1);
  });

  it("stops after a failed append and rejects what was pending", async () => {
    const client = freshClient();
    await client.append("s1", [{ type: "A" }]);
    const producer = client.producer("s1", { lingerMs: 5 });
    // An event naming another session is refused by the service (400): nothing of its batch is stored.
    const bad = producer.send({ type: "AgentStart", agent_id: "a", session_id: "other", loop_id: "other.m.0" });
    await expect(bad).rejects.toMatchObject({ code: "invalid_request" });
    await expect(producer.send({ type: "C" })).rejects.toMatchObject({ code: "invalid_request" });
    expect((await client.getHead("s1")).head_seq).toBe(1);
  });
});

describe("follow", () => {
  it("catches up, follows new events with held reads, and resumes from afterSeq", async () => {
    const client = freshClient();
    await client.append("s1", [{ type: "A" }, { type: "B" }]);
    const seen: EventRecord[] = [];
    const follower = client.follow("s1", { wait: 2 });
    const writer = (async () => {
      await new Promise((r) => setTimeout(r, 500));
      await client.append("s1", [{ type: "C" }]);
    })();
    for await (const record of follower) {
      seen.push(record);
      if (seen.length === 3) break;
    }
    await writer;
    expect(seen.map((r) => r.event.type)).toEqual(["A", "B", "C"]);
    expect(follower.afterSeq).toBe(3);

    await client.append("s1", [{ type: "D" }, { type: "E" }]);
    const resumed: string[] = [];
    for await (const record of client.follow("s1", { afterSeq: follower.afterSeq, wait: 1 })) {
      resumed.push(record.event.type);
      if (resumed.length === 2) break;
    }
    expect(resumed).toEqual(["D", "E"]);
  });

  it("follows a filtered session past pages that hold no matching event, and stops on abort", async () => {
    const client = freshClient();
    await client.append("s1", [{ type: "Noise" }, { type: "Noise" }, { type: "Signal" }]);
    const abort = new AbortController();
    const follower = client.follow("s1", { types: ["Signal"], wait: 1, limit: 1, signal: abort.signal });
    const seen: number[] = [];
    setTimeout(() => abort.abort(), 2500);
    for await (const record of follower) seen.push(record.seq);
    expect(seen).toEqual([3]);
    expect(follower.afterSeq).toBe(3);
  });

  it("takes pushed events over the follow API without reading them, a type filter holding", async () => {
    const reads: string[] = [];
    const counting: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes("/events?") && (init?.method ?? "GET") === "GET") reads.push(url);
      return fetch(input, init);
    };
    const client = new SessionlogClient({ baseUrl: serviceUrl(), tenant: freshTenant(), fetch: counting });
    await client.append("live", [{ type: "Step" }, { type: "Step" }]);
    const abort = new AbortController();
    const webSocket = WebSocket as unknown as WebSocketClass;
    const all = client.follow("live", { webSocket, signal: abort.signal });
    const steps = client.follow("live", { webSocket, types: ["Step"], signal: abort.signal });
    const seenAll: number[] = [];
    const seenSteps: number[] = [];
    const collect = async (follower: AsyncIterable<EventRecord>, into: number[], count: number) => {
      for await (const record of follower) {
        into.push(record.seq);
        if (into.length === count) return;
      }
    };
    const allDone = collect(all, seenAll, 6);
    const stepsDone = collect(steps, seenSteps, 4);
    while (seenAll.length < 2 || seenSteps.length < 2) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // both connected and caught up
    const readsBefore = reads.length;
    for (const type of ["Other", "Step", "Other", "Step"]) {
      await client.append("live", [{ type }]);
      await new Promise((r) => setTimeout(r, 150));
    }
    await Promise.all([allDone, stepsDone]);
    abort.abort();
    expect(seenAll).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seenSteps).toEqual([1, 2, 4, 6]);
    expect(reads.slice(readsBefore)).toEqual([]);
  });

  it("follows with held reads where no WebSocket is given or the platform has none", async () => {
    const client = freshClient();
    await client.append("s1", [{ type: "A" }]);
    const seen: number[] = [];
    for await (const record of client.follow("s1", { webSocket: false, wait: 1 })) {
      seen.push(record.seq);
      if (seen.length === 2) break;
      await client.append("s1", [{ type: "B" }]);
    }
    expect(seen).toEqual([1, 2]);
  });
});
