/**
 * A stub in front of the real service, only to inject failures: it forwards every request, and
 * for the requests a rule picks it loses the answer (the request reaches the service, the socket
 * is destroyed before the answer) or answers 503 / 429 itself without forwarding.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";

export type Fault = "lose-answer" | "503" | "429";

export interface FaultRule {
  /** Which requests: method and a path prefix. */
  method: string;
  pathPrefix: string;
  fault: Fault;
  /** How many matching requests get the fault (then they pass). */
  times: number;
}

export class FaultyProxy {
  private server: Server | undefined;
  private rules: FaultRule[] = [];
  /** Requests seen, in order: method, path and what was done. */
  readonly log: { method: string; path: string; outcome: Fault | "forwarded" }[] = [];

  constructor(private readonly target: string) {}

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer(async (req, res) => {
      const body = await readAll(req);
      const rule = this.rules.find((r) => r.times > 0 && r.method === req.method && req.url!.startsWith(r.pathPrefix));
      const outcome: Fault | "forwarded" = rule ? rule.fault : "forwarded";
      if (rule) rule.times -= 1;
      this.log.push({ method: req.method!, path: req.url!, outcome });
      if (outcome === "503" || outcome === "429") {
        res.writeHead(Number(outcome), { "content-type": "application/json", "retry-after": "0" });
        res.end(JSON.stringify({ error: { code: outcome === "503" ? "unavailable" : "throttled", message: "injected by the test" } }));
        return;
      }
      const forwarded = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        async (answer) => {
          const answerBody = await readAll(answer);
          if (outcome === "lose-answer") {
            // The service did the work; the client never hears of it.
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode!, answer.headers);
          res.end(answerBody);
        },
      );
      forwarded.on("error", () => res.socket?.destroy());
      forwarded.end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}
