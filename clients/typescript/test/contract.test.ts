import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { SessionlogClient } from "../src/index.js";
import type { operations } from "../src/types.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const specPath = path.resolve(here, "../../../openapi.yaml");

describe("the client against openapi.yaml", () => {
  it("its generated types are openapi.yaml's as it is now (no drift)", async () => {
    const generated = astToString(await openapiTS(new URL(`file://${specPath}`)));
    const committed = await readFile(path.resolve(here, "../src/generated/openapi.ts"), "utf8");
    const body = (text: string) => text.slice(text.indexOf("export "));
    expect(body(committed)).toBe(body(generated));
  });

  it("has a method for every operation of openapi.yaml", async () => {
    const spec = parse(await readFile(specPath, "utf8")) as { paths: Record<string, Record<string, { operationId?: string }>> };
    const operationIds = Object.values(spec.paths).flatMap((item) =>
      Object.values(item).flatMap((op) => (op && typeof op === "object" && op.operationId ? [op.operationId] : [])),
    );
    expect(operationIds.length).toBeGreaterThanOrEqual(13);
    // The compiler checks the same from the generated types: a missing method fails the typecheck.
    const methods: Record<keyof operations, unknown> = Object.fromEntries(
      operationIds.map((id) => [id, (SessionlogClient.prototype as unknown as Record<string, unknown>)[id]]),
    ) as Record<keyof operations, unknown>;
    for (const id of operationIds) expect(typeof methods[id as keyof operations], id).toBe("function");
  });
});
