import { SQS } from "./aws-limits.js";
/** Retry delay of a failed message, from how many times SQS has delivered it. */
export interface BackoffOptions {
  /** Delay after the first failed receive, in seconds. 0-43,200. Default 5. */
  readonly baseSeconds?: number | undefined;
  /** Largest delay, in seconds. base-43,200 (SQS's visibility limit). Default 300. */
  readonly maxSeconds?: number | undefined;
}

export const DEFAULT_BACKOFF = { baseSeconds: 5, maxSeconds: 300 } as const;
const SQS_MAX_VISIBILITY_SECONDS = SQS.visibilityTimeoutSeconds.max;

/**
 * Exponential backoff with "equal jitter": half the exponential delay is kept, the other half is
 * random, so retries of a failed burst spread out but never come back at once.
 */
export function backoffSeconds(
  receiveCount: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseSeconds ?? DEFAULT_BACKOFF.baseSeconds;
  const cap = Math.min(options.maxSeconds ?? DEFAULT_BACKOFF.maxSeconds, SQS_MAX_VISIBILITY_SECONDS);
  const attempt = Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1;
  const exponential = Math.min(cap, base * 2 ** Math.min(attempt - 1, 30));
  return Math.min(cap, Math.round(exponential / 2 + random() * (exponential / 2)));
}
