import { defineConfig } from "vitest/config";
import { TotalSummary, ValidationSummary } from "./test/support/plainSummary.js";

export default defineConfig({
  test: {
    // The LangGraph validation suite calls describe/it/expect as globals.
    globals: true,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/localRunner.ts"],
    reporters: [new ValidationSummary(), "default", new TotalSummary()],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The service serializes its store: two files at a time keep it busy without queueing.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
