/** This project's library: `processBatch` without EMF metrics and with a logger at ERROR, so no stdout write per batch. */
import { createLogger, processBatch } from "../../functions/lib/index.js";
import type { Implementation } from "./implementation.js";

const logger = createLogger({ level: "ERROR" });

export const ours: Implementation = {
  name: "ours (processBatch)",
  run: (event, context, work, options = {}) =>
    processBatch(event, context, work, {
      metrics: false,
      logger,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    }),
};
