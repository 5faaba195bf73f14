/**
 * The reliability scenarios of the local pipeline, for `npm test` (test/reliability/*.test.ts) and the
 * bench (bench/pipeline), which runs them at full size. Each returns the run's report (runLocal's
 * RunReport, plus what the scenario saw); none asserts: the tests do.
 */
export { DEV, FAST_RETRY, FIFO, FAST_RETRY_TIMEOUT_SECONDS, FAST_RETRY_VISIBILITY_TIMEOUT_SECONDS, synthesizeReliabilityStacks } from "./stacks.js";
export { DEFAULT_LOAD_COUNT, formatFigures, reliabilitySizes, timeoutFor, type ReliabilitySizes, type ScenarioOptions, type ScenarioReport } from "./run-support.js";
export {
  DLQ_OUTAGE_MS,
  LOAD_SHARES,
  TABLE_OUTAGE_MS,
  deadLetterQueueOutageScenario,
  functionTimeoutScenario,
  loadScenario,
  shortTimeoutScenario,
  tableOutageScenario,
  type DeadLetterOutageReport,
  type FunctionTimeoutReport,
  type LoadReport,
  type TableOutageReport,
} from "./pipeline-scenarios.js";
export { consumerKillScenario, type ConsumerKillReport } from "./consumer-kill.js";
export { MAX_MESSAGE_BYTES, edgeCases, edgeInputScenario, type EdgeCase, type EdgeInputReport, type EdgeOutcome, type EdgeResult } from "./edge-input.js";
export { fifoLoadScenario, type FifoLoadReport } from "./fifo-scenario.js";
