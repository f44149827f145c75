import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("the npm package", () => {
  it("packs only the built files, the README and the licence", () => {
    // --ignore-scripts: `npm test` has built dist/ already.
    const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: packageDir, encoding: "utf8" }));
    const files: string[] = pack.files.map((f: { path: string }) => f.path);
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    for (const adapter of ["openai-agents", "langgraph", "adk"]) expect(files).toContain(`dist/${adapter}/index.js`);
    expect(files.filter((f) => !f.startsWith("dist/")).sort()).toEqual(["LICENSE", "README.md", "package.json"]);
    expect(files.filter((f) => f.startsWith("dist/") && !/\.(js|d\.ts)$/.test(f))).toEqual([]);
  });

  it("its subpath exports load, and bundle no framework (instanceof holds against the user's copy)", async () => {
    const { SessionlogSaver } = await import(path.join(packageDir, "dist/langgraph/index.js"));
    const { BaseCheckpointSaver } = await import("@langchain/langgraph-checkpoint");
    const { SessionlogClient } = await import(path.join(packageDir, "dist/index.js"));
    expect(new SessionlogSaver({ client: new SessionlogClient({ baseUrl: "http://localhost:1" }) })).toBeInstanceOf(BaseCheckpointSaver);
    const { SessionlogSessionService } = await import(path.join(packageDir, "dist/adk/index.js"));
    const { BaseSessionService } = await import("@google/adk");
    expect(new SessionlogSessionService({ client: new SessionlogClient({ baseUrl: "http://localhost:1" }) })).toBeInstanceOf(BaseSessionService);
    const { SessionlogSession } = await import(path.join(packageDir, "dist/openai-agents/index.js"));
    expect(await new SessionlogSession({ client: new SessionlogClient({ baseUrl: "http://localhost:1" }), sessionId: "s" }).getSessionId()).toBe("s");
  });
});
