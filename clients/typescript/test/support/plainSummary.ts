/**
 * Prints plain summary lines that CI logs read ("N passed, N failed, N skipped"): one for the
 * LangGraph validation suite alone, and one for the whole run after vitest's own summary.
 */
import type { Reporter, TestModule } from "vitest/node";

type Counts = { passed: number; failed: number; skipped: number };

function count(modules: readonly TestModule[]): Counts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "failed") counts.failed++;
      else counts.skipped++;
    }
  }
  return counts;
}

const line = (label: string, c: Counts) => `${label}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

/** Before vitest's summary: the validation suite's own line. */
export class ValidationSummary implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const validation = modules.filter((m) => m.moduleId.endsWith("langgraph-validation.test.ts"));
    if (validation.length > 0) console.log(`\n${line("langgraph-checkpoint-validation", count(validation))}`);
  }
}

/** After vitest's summary: the whole run. */
export class TotalSummary implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    console.log(line("sessionlog-client", count(modules)));
  }
}
