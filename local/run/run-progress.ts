import type { SQSClient } from "@aws-sdk/client-sqs";
import { queueCounts } from "./run-inspection.js";

export interface RunProgress {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly total: number;
  /** Records whose invocation finished with them done (processed, ignored or dead-lettered by the function). */
  readonly processed: number;
  /** Records returned to the queue to be retried. */
  readonly retried: number;
  readonly filtered: number;
  readonly deadLettered: number;
  readonly queued: number;
  readonly inFlight: number;
  /** Records done per second over the last interval. */
  readonly throughput: number;
}

/** What the function's invocations did so far, as the run's observers count it. */
export interface RunCounters {
  processed: number;
  retried: number;
  filtered: number;
}

export interface ProgressSource {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl?: string;
  readonly total: number;
  /** performance.now() at the start of the run. */
  readonly started: number;
  readonly counters: Readonly<RunCounters>;
  sent(): number;
  invocationsInFlight(): number;
}

/**
 * The run's progress, read from the queues and the counters: throughput over the last report, the
 * moment every message had been through the function once, and how long nothing has moved.
 */
export class ProgressTracker {
  private lastDone = 0;
  private lastSent = 0;
  private lastTick: number;
  private lastMovement: number;
  private firstPass: number | undefined;

  constructor(private readonly source: ProgressSource) {
    this.lastTick = source.started;
    this.lastMovement = source.started;
  }

  /**
   * Until every message had been through the function once: all sent, none waiting to be received,
   * no invocation running (what remains waits out a retry's backoff).
   */
  get firstPassMs(): number | undefined {
    return this.firstPass;
  }

  /** Milliseconds since the last report that saw a message sent or done. */
  idleMs(): number {
    return performance.now() - this.lastMovement;
  }

  /** Only the periodic report (`report = true`) advances the throughput window and the idle clock. */
  async snapshot(report = false): Promise<RunProgress> {
    const { sqs, queueUrl, deadLetterQueueUrl, counters } = this.source;
    const [work, dead] = await Promise.all([
      queueCounts(sqs, queueUrl),
      deadLetterQueueUrl ? queueCounts(sqs, deadLetterQueueUrl) : undefined,
    ]);
    const now = performance.now();
    const sent = this.source.sent();
    const done = counters.processed + counters.filtered;
    const throughput = ((done - this.lastDone) * 1000) / Math.max(1, now - this.lastTick);
    if (
      this.firstPass === undefined &&
      sent === this.source.total &&
      work.visible === 0 &&
      this.source.invocationsInFlight() === 0
    ) {
      this.firstPass = now - this.source.started;
    }
    if (report) {
      if (done !== this.lastDone || sent !== this.lastSent) this.lastMovement = now;
      this.lastDone = done;
      this.lastSent = sent;
      this.lastTick = now;
    }
    return {
      elapsedMs: now - this.source.started,
      sent,
      total: this.source.total,
      processed: counters.processed,
      retried: counters.retried,
      filtered: counters.filtered,
      deadLettered: dead ? dead.visible + dead.inFlight : 0,
      queued: work.visible,
      inFlight: work.inFlight,
      throughput,
    };
  }
}
