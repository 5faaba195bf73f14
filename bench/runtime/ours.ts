/**
 * This project's library as a deployed handler uses it: `createBatchHandler` (options checked once
 * per container), without EMF metrics and with a logger at ERROR, so no stdout write per batch.
 */
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createBatchHandler, createLogger } from "../../functions/lib/index.js";
import type { Implementation, RecordWork } from "./implementation.js";

const logger = createLogger({ level: "ERROR" });
type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
const handlers = new Map<RecordWork, Map<number | undefined, Handler>>();

function handlerFor(work: RecordWork, concurrency: number | undefined): Handler {
  const byConcurrency = handlers.get(work) ?? new Map<number | undefined, Handler>();
  handlers.set(work, byConcurrency);
  let handler = byConcurrency.get(concurrency);
  if (!handler) {
    handler = createBatchHandler(work, {
      metrics: false,
      logger,
      ...(concurrency !== undefined ? { concurrency } : {}),
    });
    byConcurrency.set(concurrency, handler);
  }
  return handler;
}

export const ours: Implementation = {
  name: "ours (createBatchHandler)",
  run: (event, context, work, options = {}) => handlerFor(work, options.concurrency)(event, context),
};
