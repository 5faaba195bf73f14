import type { InvocationInfo } from "../../functions/runtime/poller/index.js";
import type { LocalPipeline, LocalPipelineOptions } from "../pipeline/local-pipeline.js";
import type { FaultProxy } from "../servers/fault-proxy.js";
import type { OrderStream } from "./order-stream.js";
import type { Percentiles } from "./percentiles.js";
import type { Reconciliation } from "./reconcile.js";
import type { RunProgress } from "./run-progress.js";

/** The shapes of a local run: what it takes, what a scenario can do during it, what it reports. */
export interface LocalRunOptions {
  /** The synthesized stack to run: an environment name (dev, staging, prod). */
  readonly environment: string;
  /** Default cdktf.out. */
  readonly outdir?: string;
  readonly count: number;
  readonly poisonShare: number;
  readonly transientShare: number;
  readonly seed?: number;
  readonly overrides?: LocalPipelineOptions["overrides"];
  /** Every line the function writes goes here (its logs would otherwise fill the terminal). */
  readonly functionLogFile?: string;
  readonly onProgress?: (progress: RunProgress) => void;
  readonly progressIntervalMs?: number;
  /** Aborting (Ctrl-C) stops sending and polling; the report says what was left where. */
  readonly signal?: AbortSignal;
  /** Give up when nothing moves for this long; default 60 s (a retry backs off for up to 20 s here). */
  readonly stallTimeoutMs?: number;
  /**
   * Runs beside the stream once polling started, e.g. to take the table down for a while; the run
   * settles only after it returns. The function's table and SQS calls pass through `table` and `sqs`.
   */
  readonly scenario?: (controls: RunControls) => Promise<void>;
  /** Default true: the first table write of a share of orders fails (see `transientShare`). */
  readonly injectTransientFaults?: boolean;
}

export interface RunControls {
  readonly table: FaultProxy;
  readonly sqs: FaultProxy;
  /** Archive mode: the archiver's S3 calls pass through this proxy. */
  readonly s3?: FaultProxy;
  readonly pipeline: LocalPipeline;
  readonly stream: OrderStream;
  progress(): Promise<RunProgress>;
  /** Calls `listener` with each line the function writes from now on, as it writes it. */
  onFunctionOutput(listener: (line: string) => void): void;
  /** Resolves once `predicate` holds for the progress (checked every 50 ms). */
  until(predicate: (progress: RunProgress) => boolean): Promise<RunProgress>;
}

export interface RunReport {
  readonly environment: string;
  readonly settings: LocalPipeline["settings"] & { readonly visibilityTimeoutSeconds: number };
  readonly messages: number;
  readonly sendFailures: number;
  readonly invocations: number;
  readonly outcomes: Readonly<Record<InvocationInfo["outcome"], number>>;
  readonly retries: number;
  readonly coldStarts: number;
  readonly injectedFaults: number;
  readonly wallMs: number;
  /** Messages sent per second of wall time, waiting out the retries' backoff included. */
  readonly messagesPerSecond: number;
  /**
   * Until every message had been through the function once: all sent, none waiting to be received,
   * no invocation running (what remains waits out a retry's backoff). Absent if never reached.
   */
  readonly firstPassMs?: number;
  readonly firstPassMessagesPerSecond?: number;
  readonly batchMs: Percentiles;
  readonly reconciliation: Reconciliation;
  readonly interrupted: boolean;
  /** Messages still in the work queue when the run ended (only after an interruption or a stall). */
  readonly leftInQueue: number;
}

export interface LocalRun {
  readonly report: RunReport;
  readonly endpoints: {
    readonly sqs: string;
    readonly dynamodb: string;
    readonly queueUrl: string;
    readonly deadLetterQueueUrl?: string;
    readonly tables: readonly string[];
    /** Archive mode: where the archiver stores dead letters (on the SQS endpoint, which serves S3 and SNS) and its alert topic. */
    readonly archive?: { readonly bucket: string; readonly prefix: string; readonly topicArn: string };
  };
  /** Polls again (as after a deployment): for `--keep`, so that what a user sends is processed. */
  resumePolling(): void;
  /** Stops the function's containers and the servers. */
  close(): Promise<void>;
}
