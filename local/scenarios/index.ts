/**
 * The reliability scenarios of the local pipeline, for `npm test` (test/reliability/*.test.ts) and the
 * bench (bench/pipeline), which runs them at full size. Each returns the run's report (runLocal's
 * RunReport, plus what the scenario saw); none asserts: the tests do.
 */

export { type ConsumerKillReport, consumerKillScenario } from "./consumer-kill.js";
export {
  type EdgeCase,
  type EdgeInputReport,
  type EdgeOutcome,
  type EdgeResult,
  edgeCases,
  edgeInputScenario,
  MAX_MESSAGE_BYTES,
} from "./edge-input.js";
export { type FifoLoadReport, fifoLoadScenario } from "./fifo-scenario.js";
export {
  type DeadLetterOutageReport,
  DLQ_OUTAGE_MS,
  deadLetterQueueOutageScenario,
  type FunctionTimeoutReport,
  functionTimeoutScenario,
  LOAD_SHARES,
  type LoadReport,
  loadScenario,
  shortTimeoutScenario,
  TABLE_OUTAGE_MS,
  type TableOutageReport,
  tableOutageScenario,
} from "./pipeline-scenarios.js";
export {
  DEFAULT_LOAD_COUNT,
  formatFigures,
  type ReliabilitySizes,
  reliabilitySizes,
  type ScenarioOptions,
  type ScenarioReport,
  timeoutFor,
} from "./run-support.js";
export {
  DEV,
  FAST_RETRY,
  FAST_RETRY_TIMEOUT_SECONDS,
  FAST_RETRY_VISIBILITY_TIMEOUT_SECONDS,
  FIFO,
  synthesizeReliabilityStacks,
  synthesizeReliabilityStacksInto,
} from "./stacks.js";
