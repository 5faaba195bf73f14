import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { SQSClient } from "@aws-sdk/client-sqs";
import { CLOUDWATCH } from "@queue-processor/runtime/aws-limits";
import type { PipelineTarget } from "./pipeline-target.js";
import { renderTable } from "./status-render.js";
import { collectStatus } from "./status-report.js";

export interface StatusOptions {
  /** The report as JSON (a stable shape: `StatusReport` in status-report.ts) instead of a table. */
  readonly json: boolean;
  /** How far back the metrics go: a whole number of hours, 1-360 (CloudWatch keeps 1-minute points 15 days). */
  readonly hours: number;
  /** @default - the clock */
  readonly now?: Date;
  /** ANSI colours for alarm states. @default false */
  readonly color?: boolean;
  /**
   * Columns the table fits in: 20-1,000 (a terminal's `columns`). Sparklines and alarm lines shrink to
   * it; the queue lines need about 75. @default 100
   */
  readonly width?: number;
}

const KNOWN_OPTIONS = ["json", "hours", "now", "color", "width"];
const WIDTH = { min: 20, max: 1000, default: 100 };

/**
 * The pipeline's status: each queue's depth, in flight and oldest message; each alarm's state; the
 * last `hours` of received, succeeded, poisoned, failed and filtered-out records. SQS is read with
 * GetQueueAttributes, CloudWatch with DescribeAlarms and GetMetricData. A local pipeline
 * (`target.endpoint`) has no CloudWatch: those parts say so. Rejects, with a one-line message, on bad
 * options and when a queue cannot be read (it does not exist, no credentials); a CloudWatch part that
 * cannot be read is shown as such and makes the report incomplete instead.
 */
export async function renderStatus(target: PipelineTarget, options: StatusOptions): Promise<string> {
  const checked = checkOptions(options);
  const clients = statusClients(target);
  try {
    const report = await collectStatus(target, clients, { hours: checked.hours, now: checked.now });
    return checked.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report, checked);
  } finally {
    clients.sqs.destroy();
    clients.cloudWatch?.destroy();
  }
}

function checkOptions(options: StatusOptions): Required<StatusOptions> {
  if (typeof options !== "object" || options === null) throw new TypeError("status options must be an object");
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new TypeError(`${key} is not a status option (allowed: ${KNOWN_OPTIONS.join(", ")})`);
    }
  }
  const { json, hours, now = new Date(), color = false, width = WIDTH.default } = options;
  if (typeof json !== "boolean") throw new TypeError(`json must be true or false (got ${show(json)})`);
  const maxHours = CLOUDWATCH.getMetricData.minutePointsRetentionHours;
  if (typeof hours !== "number" || !Number.isInteger(hours) || hours < 1 || hours > maxHours) {
    throw new RangeError(`hours must be a whole number from 1 to ${maxHours} (got ${show(hours)})`);
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new TypeError(`now must be a valid Date (got ${show(now)})`);
  if (typeof color !== "boolean") throw new TypeError(`color must be true or false (got ${show(color)})`);
  if (typeof width !== "number" || !Number.isInteger(width) || width < WIDTH.min || width > WIDTH.max) {
    throw new RangeError(`width must be a whole number from ${WIDTH.min} to ${WIDTH.max} (got ${show(width)})`);
  }
  return { json, hours, now, color, width };
}

/**
 * On AWS: the standard credential chain, the target's region (and the SDK's own AWS_ENDPOINT_URL_*
 * variables). Locally: every client at the one endpoint, with placeholder keys when none are set
 * (the local servers check no signature), and no CloudWatch.
 */
function statusClients(target: PipelineTarget): { sqs: SQSClient; cloudWatch: CloudWatchClient | undefined } {
  const requestHandler = { connectionTimeout: 3000, requestTimeout: 10_000 };
  if (target.endpoint !== undefined) {
    const credentials = process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: "local", secretAccessKey: "local" };
    return {
      sqs: new SQSClient({
        region: target.region,
        endpoint: target.endpoint,
        // A local server's queue URLs may name a host that does not resolve (fauxqs: sqs.<region>.localhost).
        useQueueUrlAsEndpoint: false,
        credentials,
        maxAttempts: 2,
        requestHandler,
      }),
      cloudWatch: undefined,
    };
  }
  return {
    sqs: new SQSClient({ region: target.region, maxAttempts: 3, requestHandler }),
    cloudWatch: new CloudWatchClient({ region: target.region, maxAttempts: 3, requestHandler }),
  };
}

function show(value: unknown): string {
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) {
    return String(value);
  }
  return `a value of type ${typeof value}`;
}
