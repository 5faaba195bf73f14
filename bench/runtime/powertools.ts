/**
 * Powertools for AWS Lambda 2.35: `BatchProcessor` (every record at once, unbounded) for standard
 * queues; for FIFO the async `SqsFifoPartialProcessorAsync` (one record at a time, all groups in one
 * sequence): the synchronous `SqsFifoPartialProcessor` cannot run an async record handler under
 * `processPartialResponse`. Processors are created once per handler, as in a handler module.
 */
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from "@aws-lambda-powertools/batch";
import type { Implementation } from "./implementation.js";

export const powertools: Implementation = {
  name: "Powertools 2.35",
  handler: (work) => {
    const standard = new BatchProcessor(EventType.SQS);
    const fifo = new SqsFifoPartialProcessorAsync();
    return (event, context) => {
      const processor = event.Records[0]?.eventSourceARN.endsWith(".fifo") ? fifo : standard;
      return processPartialResponse(event, work, processor, { context, throwOnFullBatchFailure: false });
    };
  },
};
