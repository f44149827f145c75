import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The LangGraph validation suite calls describe/it/expect as globals.
    globals: true,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/localRunner.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The service serializes its store: two files at a time keep it busy without queueing.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
