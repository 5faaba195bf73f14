import type { Context } from "aws-lambda";

/**
 * The invocation's time budget. New records start only while more than the margin is left; records
 * still running when half the margin is left are abandoned and reported failed, so the rest of the
 * margin pays for reporting. A timeout would instead replay the whole batch. The margin is
 * `marginMs`, or half the time left when the batch starts if that is less.
 */
export interface Deadline {
  /** True once no new record should start. */
  readonly expired: () => boolean;
  /** Resolves when running records must be abandoned. */
  readonly abandon: Promise<void>;
  /** Stops the timer; call when the batch is done. */
  readonly dispose: () => void;
}

export function createDeadline(context: Pick<Context, "getRemainingTimeInMillis">, marginMs: number): Deadline {
  const hasClock = typeof context?.getRemainingTimeInMillis === "function";
  const remaining = () => (hasClock ? context.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY);
  const budget = remaining();
  // At most half the budget is kept back: a margin as long as the whole budget (a 1 s or 2 s
  // timeout with the default 2 s margin) would start no record on any delivery, and SQS would
  // redrive every message to the DLQ, unprocessed and without a reason.
  const margin = Math.min(marginMs, budget / 2);
  let timer: NodeJS.Timeout | undefined;
  const abandonInMs = budget - margin / 2;
  const abandon = new Promise<void>((resolve) => {
    if (Number.isFinite(abandonInMs)) {
      timer = setTimeout(resolve, Math.max(0, abandonInMs));
      // Never keep a process alive for the sake of this timer (tests, long-running consumers).
      timer.unref();
    }
  });
  return {
    expired: () => remaining() <= margin,
    abandon,
    dispose: () => clearTimeout(timer),
  };
}
