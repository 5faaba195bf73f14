import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { InvalidBatchResponseError } from "./errors.js";

/**
 * Checks a batch response the way Lambda reads it: it must have `batchItemFailures` as an array, and
 * each `itemIdentifier` must be a non-empty messageId of this batch, listed once. Lambda treats an
 * empty or unknown id as "whole batch failed" (replaying the successes) and a misspelled key as
 * "all succeeded" (deleting the failures), so a response breaking these rules is never returned.
 */
export function checkBatchResponse(response: unknown, event: SQSEvent): asserts response is SQSBatchResponse {
  if (
    typeof response !== "object" ||
    response === null ||
    !Array.isArray((response as SQSBatchResponse).batchItemFailures)
  ) {
    throw new InvalidBatchResponseError(
      `batch response must be { batchItemFailures: [...] } (got ${describe(response)})`,
    );
  }
  const keys = Object.keys(response);
  if (keys.length !== 1) {
    throw new InvalidBatchResponseError(
      `batch response must have only the key batchItemFailures (got ${keys.join(", ")})`,
    );
  }
  const known = new Set(event.Records.map((record) => record.messageId));
  const seen = new Set<string>();
  for (const failure of (response as SQSBatchResponse).batchItemFailures) {
    const id: unknown = failure?.itemIdentifier;
    if (typeof id !== "string" || id.length === 0) {
      throw new InvalidBatchResponseError(`itemIdentifier must be a non-empty messageId (got ${describe(id)})`);
    }
    if (!known.has(id))
      throw new InvalidBatchResponseError(`itemIdentifier ${JSON.stringify(id)} is not a messageId of this batch`);
    if (seen.has(id)) throw new InvalidBatchResponseError(`itemIdentifier ${JSON.stringify(id)} is listed twice`);
    seen.add(id);
  }
}

/** The response for these failed message ids, checked. */
export function batchResponse(event: SQSEvent, failedMessageIds: Iterable<string>): SQSBatchResponse {
  const ids = [...failedMessageIds];
  // Nothing failed: the one shape that needs no check, and the common case on a hot path.
  if (ids.length === 0) return { batchItemFailures: [] };
  const response: SQSBatchResponse = {
    batchItemFailures: [...new Set(ids)].map((itemIdentifier) => ({ itemIdentifier })),
  };
  checkBatchResponse(response, event);
  return response;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
