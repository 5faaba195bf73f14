import { SQS } from "../aws-limits.js";
import type { SendMessagesOptions } from "./types.js";

/** SendMessagesOptions with every default applied and every value checked. */
export interface ResolvedSendOptions {
  readonly maxBatchBytes: number;
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly fifo: boolean;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

const SEND_LIMITS = {
  /** SQS counts body and attributes of every entry against one 1 MiB payload per request. */
  maxBatchBytes: { min: 1024, max: SQS.sendMessageBatchMaxBytes, default: SQS.sendMessageBatchMaxBytes },
  maxAttempts: { min: 1, max: 20, default: 5 },
  /**
   * 19 retry rounds at 15 s stay under SQS's 5-minute deduplication window, so a FIFO entry re-sent
   * behind a failed one is still recognised as a duplicate rather than enqueued twice.
   */
  backoffMs: { min: 1, max: 15_000 },
  defaultBaseMs: 50,
  defaultMaxMs: 2000,
} as const;

const OPTION_KEYS: readonly string[] = ["maxBatchBytes", "maxAttempts", "backoff", "fifo", "sleep", "random"];
const BACKOFF_KEYS: readonly string[] = ["baseMs", "maxMs"];

/** A value as the caller would recognise it in an error message. */
export function shown(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "function") return "a function";
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function wholeNumber(name: string, value: unknown, min: number, max: number, fallback: number, note = ""): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new TypeError(`${name} must be a whole number between ${min} and ${max}${note} (got ${shown(value)})`);
}

function knownKeys(where: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `${where}${key} is not a known option (allowed: ${allowed.join(", ")}) (got ${shown(value[key])})`,
      );
    }
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Throws a TypeError naming the argument, the value and what is allowed. */
export function checkArguments(queueUrl: unknown, messages: unknown): void {
  if (typeof queueUrl !== "string" || queueUrl.length === 0) {
    throw new TypeError(`queueUrl must be a non-empty string, the queue's URL (got ${shown(queueUrl)})`);
  }
  if (!Array.isArray(messages)) {
    throw new TypeError(`messages must be an array of messages (got ${shown(messages)})`);
  }
}

export function resolveSendOptions(queueUrl: string, options: unknown): ResolvedSendOptions {
  if (options === undefined) options = {};
  if (!isObject(options)) throw new TypeError(`options must be an object (got ${shown(options)})`);
  knownKeys("", options, OPTION_KEYS);
  const given = options as SendMessagesOptions & Record<string, unknown>;
  const limits = SEND_LIMITS;
  const maxBatchBytes = wholeNumber(
    "maxBatchBytes",
    given.maxBatchBytes,
    limits.maxBatchBytes.min,
    limits.maxBatchBytes.max,
    limits.maxBatchBytes.default,
  );
  const maxAttempts = wholeNumber(
    "maxAttempts",
    given.maxAttempts,
    limits.maxAttempts.min,
    limits.maxAttempts.max,
    limits.maxAttempts.default,
  );

  const backoff: unknown = given.backoff ?? {};
  if (!isObject(backoff)) {
    throw new TypeError(`backoff must be an object with baseMs and/or maxMs (got ${shown(backoff)})`);
  }
  knownKeys("backoff.", backoff, BACKOFF_KEYS);
  const baseMs = wholeNumber(
    "backoff.baseMs",
    backoff.baseMs,
    limits.backoffMs.min,
    limits.backoffMs.max,
    limits.defaultBaseMs,
  );
  // A base above the default cap means the caller wants long waits, not a cap that silently undercuts them.
  const maxMs = wholeNumber(
    "backoff.maxMs",
    backoff.maxMs,
    baseMs,
    limits.backoffMs.max,
    Math.max(limits.defaultMaxMs, baseMs),
    " (at least backoff.baseMs)",
  );

  if (given.fifo !== undefined && typeof given.fifo !== "boolean") {
    throw new TypeError(`fifo must be true or false (got ${shown(given.fifo)})`);
  }
  if (given.sleep !== undefined && typeof given.sleep !== "function") {
    throw new TypeError(`sleep must be a function (ms) => Promise<void> (got ${shown(given.sleep)})`);
  }
  if (given.random !== undefined && typeof given.random !== "function") {
    throw new TypeError(`random must be a function returning a number from 0 to below 1 (got ${shown(given.random)})`);
  }

  return {
    maxBatchBytes,
    maxAttempts,
    baseMs,
    maxMs,
    fifo: given.fifo ?? queueUrl.endsWith(".fifo"),
    sleep: given.sleep ?? defaultSleep,
    random: given.random ?? Math.random,
  };
}
