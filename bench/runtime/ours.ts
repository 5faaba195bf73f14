/**
 * This project's library as a deployed handler uses it: `createBatchHandler` (options checked once
 * per container), without EMF metrics and with a logger at ERROR, so no stdout write per batch.
 */
import { createBatchHandler, createLogger } from "../../functions/runtime/index.js";
import type { Implementation } from "./implementation.js";

export const ours: Implementation = {
  name: "ours (createBatchHandler)",
  handler: (work, options = {}) =>
    createBatchHandler(work, {
      metrics: false,
      logger: createLogger({ level: "ERROR" }),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    }),
};
