import { capText } from "./text-limits.js";

/**
 * What a record handler throws to say how a record failed. Anything else thrown counts as transient.
 * The message and reason are capped ({@link capText}): they travel into logs and onto the dead-letter
 * copy, and may quote user input.
 */
export abstract class RecordProcessingError extends Error {
  /** Stable, short reason code, e.g. `malformed-json`; used in logs, metrics and the DLQ message. */
  readonly reason: string;
  /** Correlation id of the message, when the handler knows it, for the logs. */
  readonly correlationId: string | undefined;

  constructor(reason: string, message: string, options: { cause?: unknown; correlationId?: string } = {}) {
    super(capText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = capText(reason);
    this.correlationId = options.correlationId === undefined ? undefined : capText(options.correlationId);
  }
}

/**
 * The message can never succeed (malformed JSON, schema violation, unknown type): it is sent to the
 * dead-letter queue with its reason at once and acknowledged, so no retries are wasted on it.
 */
export class PoisonMessageError extends RecordProcessingError {
  override readonly name = "PoisonMessageError";
}

/** The message may succeed later (a dependency is down, an order not yet created): retried with backoff. */
export class TransientError extends RecordProcessingError {
  override readonly name = "TransientError";
}

/** The event is not an SQS event the library can answer for record by record: the whole batch fails. */
export class InvalidBatchEventError extends Error {
  override readonly name = "InvalidBatchEventError";
}

/**
 * A batch response that Lambda would misread: an unknown, empty or repeated `itemIdentifier` fails
 * (or, misspelled, acknowledges) the whole batch. Thrown instead of returning it.
 */
export class InvalidBatchResponseError extends Error {
  override readonly name = "InvalidBatchResponseError";
}
