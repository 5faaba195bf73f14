import type { SQSEvent } from "aws-lambda";
import { checkBatchResponse } from "../response.js";

/**
 * The message ids to retry, or "invalid" for a response Lambda treats as a whole-batch failure.
 * No response, `{}` and `{ batchItemFailures: null }` are complete successes, as Lambda documents.
 */
export function failuresOf(response: unknown, event: SQSEvent): string[] | "invalid" {
  if (response === undefined || response === null) return [];
  if (typeof response === "object" && !Array.isArray(response)) {
    const keys = Object.keys(response);
    if (keys.length === 0) return [];
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (keys.length === 1 && keys[0] === "batchItemFailures" && (failures === null || failures === undefined))
      return [];
  }
  try {
    checkBatchResponse(response, event);
  } catch {
    return "invalid";
  }
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}
