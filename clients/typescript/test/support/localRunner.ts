/**
 * vitest globalSetup: the real sessionlog, once per test run. With SESSIONLOG_URL set, that
 * running service is used; otherwise the local runner is started from the repository root
 * (`./mvnw -B -Plocal`, in memory, on free ports) and stopped at the end (its process group is
 * killed; moto exits when its stdin closes).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    sessionlogUrl: string;
  }
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
let runner: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  const given = process.env["SESSIONLOG_URL"];
  if (given) {
    project.provide("sessionlogUrl", given.replace(/\/+$/, ""));
    return;
  }
  const [api, dynamodb, s3, follow] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const started = Date.now();
  runner = spawn("./mvnw", ["-B", "-Plocal"], {
    cwd: repositoryRoot,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      SESSIONLOG_IN_MEMORY: "true",
      SESSIONLOG_API_PORT: String(api),
      SESSIONLOG_FOLLOW_PORT: String(follow),
      SESSIONLOG_DYNAMODB_PORT: String(dynamodb),
      SESSIONLOG_S3_PORT: String(s3),
    },
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local runner did not start in 10 minutes:\n${output.slice(-40).join("")}`)), 600_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 400) output.splice(0, 200);
      if (chunk.toString().includes("sessionlog is running")) {
        clearTimeout(timer);
        resolve();
      }
    };
    runner!.stdout!.on("data", onData);
    runner!.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    runner!.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the local runner exited (${code}) before it was running:\n${output.slice(-40).join("")}`));
    });
  });
  runner.removeAllListeners("exit");
  // Keep draining its output so it never blocks on a full pipe.
  runner.stdout!.removeAllListeners("data");
  runner.stdout!.resume();
  runner.stderr!.resume();
  console.log(`sessionlog local runner on http://localhost:${api} (started in ${Math.round((Date.now() - started) / 1000)} s)`);
  project.provide("sessionlogUrl", `http://localhost:${api}`);
}

export async function teardown(): Promise<void> {
  const child = runner;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stdin?.end();
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone already
    }
  }, 20_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
