import { runLocal } from "../run/local-run.js";
import { LOAD_SHARES } from "./pipeline-scenarios.js";
import { reliabilitySizes, type ScenarioOptions, type ScenarioReport, streamOf } from "./run-support.js";
import { FIFO, synthesizeReliabilityStacks } from "./stacks.js";

export interface FifoLoadReport extends ScenarioReport {
  /** Exact re-sends in the stream: SQS's deduplication drops them before any invocation. */
  readonly duplicatesSent: number;
}

/**
 * The load on a FIFO queue pair: each order is its own message group, so its events are applied in
 * the order sent while orders run in parallel, a failing record holds back the rest of its group
 * (never overtaken), and exact re-sends are dropped by SQS's deduplication.
 */
export async function fifoLoadScenario(options: ScenarioOptions = {}): Promise<FifoLoadReport> {
  const settings = { count: options.count ?? reliabilitySizes().faults, ...LOAD_SHARES, seed: options.seed ?? 1 };
  const run = await runLocal({
    environment: FIFO,
    outdir: options.outdir ?? synthesizeReliabilityStacks(),
    ...settings,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  await run.close();
  const stream = streamOf(settings, true);
  return {
    ...run.report,
    scenario: "FIFO load",
    duplicatesSent: stream.messages.filter((message) => message.kind === "duplicate").length,
  };
}
