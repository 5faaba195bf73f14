export type { BackoffOptions } from "./backoff.js";
export { backoffSeconds } from "./backoff.js";
export { describeValue } from "./describe-value.js";
export {
  InvalidBatchEventError,
  InvalidBatchResponseError,
  PoisonMessageError,
  RecordProcessingError,
  TransientError,
} from "./errors.js";
export type { LogFields, Logger, LogLevel } from "./log.js";
export { createLogger, parseLogLevel } from "./log.js";
export type { MetricsOptions } from "./metrics.js";
export type { BatchOptions } from "./options.js";
export type { RecordHandler, RecordOutcome } from "./process-batch.js";
export { createBatchHandler, processBatch } from "./process-batch.js";
export type { OutgoingMessage, SendMessagesOptions, SendResult } from "./producer/index.js";
export { sendMessages } from "./producer/index.js";
export { batchResponse, checkBatchResponse } from "./response.js";
export { capText, loneSurrogateIndex, MAX_TEXT_CHARS } from "./text-limits.js";
