import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type AlarmState, type MetricQuery, readAlarmStates, readMetricSeries } from "./cloudwatch-reads.js";
import type { PipelineTarget, QueueAddress } from "./pipeline-target.js";

/**
 * What `status` shows, as `--json` prints it. The shape is stable: fields are only ever added. A part
 * that could not be read says so (`available: false` and why) instead of failing the whole status, and
 * `complete` is false then, so a script can tell "no alarm fires" from "alarms unknown".
 */
export interface StatusReport {
  readonly environment: string;
  readonly region: string;
  /** A local pipeline (`npm run local -- --keep`): SQS only, CloudWatch does not exist there. */
  readonly local: boolean;
  readonly generatedAt: string;
  readonly hours: number;
  readonly queues: { readonly queue: QueueStatus; readonly deadLetterQueue: QueueStatus };
  readonly alarms: Section<{ readonly items: readonly AlarmJson[] }>;
  readonly metrics: Section<{
    readonly periodSeconds: number;
    readonly start: string;
    readonly end: string;
    readonly series: readonly SeriesJson[];
  }>;
  readonly complete: boolean;
}

type Section<T> = ({ readonly available: true } & T) | { readonly available: false; readonly reason: string };

export interface QueueStatus {
  readonly name: string;
  readonly url: string;
  /** ApproximateNumberOfMessages: waiting to be received. */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received, not yet deleted. */
  readonly inFlight: number;
  readonly delayed: number;
  /** AWS/SQS ApproximateAgeOfOldestMessage, its latest minute; null without CloudWatch or data. */
  readonly oldestMessageAgeSeconds: number | null;
}

interface AlarmJson {
  readonly name: string;
  readonly state: AlarmState["state"];
  readonly reason: string | null;
  readonly updatedAt: string | null;
}

export interface SeriesJson {
  readonly key: SeriesKey;
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: MetricQuery["stat"];
  readonly dimensions: Readonly<Record<string, string>>;
  /** Sum of the periods for a Sum, the largest for a Maximum; null when no period has data. */
  readonly total: number | null;
  /** One per period from `start`; null where CloudWatch has no data point. */
  readonly values: readonly (number | null)[];
}

export type SeriesKey = "received" | "succeeded" | "poisoned" | "failed" | "filteredOut" | "oldestMessageAge";

const NO_CLOUDWATCH_LOCALLY = "no CloudWatch locally";

/** Points in the metrics' window: a period of at least 60 s (a multiple of it), about this many of them. */
const TARGET_PERIODS = 60;
/** How far back the queues' current oldest-message age is looked for: SQS publishes each minute, a few minutes late. */
const AGE_LOOKBACK_MINUTES = 15;

export interface StatusClients {
  readonly sqs: SQSClient;
  /** Undefined for a local pipeline. */
  readonly cloudWatch: CloudWatchClient | undefined;
}

export async function collectStatus(
  target: PipelineTarget,
  clients: StatusClients,
  options: { readonly hours: number; readonly now: Date },
): Promise<StatusReport> {
  const [queueCounts, deadLetterCounts] = await Promise.all([
    readQueueCounts(clients.sqs, target.queue),
    readQueueCounts(clients.sqs, target.deadLetterQueue),
  ]);
  const { cloudWatch } = clients;
  const [alarms, metrics, ages] = cloudWatch
    ? await Promise.all([
        section(async () => ({ items: (await readAlarmStates(cloudWatch, target.alarmNames)).map(alarmJson) })),
        section(() => readHistory(cloudWatch, target, options)),
        readCurrentAges(cloudWatch, target, options.now).catch(() => undefined),
      ])
    : [unavailable(NO_CLOUDWATCH_LOCALLY), unavailable(NO_CLOUDWATCH_LOCALLY), undefined];
  return {
    environment: target.environment,
    region: target.region,
    local: target.endpoint !== undefined,
    generatedAt: options.now.toISOString(),
    hours: options.hours,
    queues: {
      queue: { ...queueCounts, oldestMessageAgeSeconds: ages?.queue ?? null },
      deadLetterQueue: { ...deadLetterCounts, oldestMessageAgeSeconds: ages?.deadLetterQueue ?? null },
    },
    alarms,
    metrics,
    complete: alarms.available && metrics.available,
  };
}

async function readQueueCounts(
  sqs: SQSClient,
  queue: QueueAddress,
): Promise<Omit<QueueStatus, "oldestMessageAgeSeconds">> {
  let attributes: Record<string, string> | undefined;
  try {
    ({ Attributes: attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: [
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesNotVisible",
          "ApproximateNumberOfMessagesDelayed",
        ],
      }),
    ));
  } catch (error) {
    throw new Error(`cannot read queue ${queue.name} (${queue.url}): ${oneLine(error)}`, { cause: error });
  }
  const count = (name: string): number => {
    const value = Number(attributes?.[name]);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`queue ${queue.name}: ${name} is not a count (got ${JSON.stringify(attributes?.[name])})`);
    }
    return value;
  };
  return {
    name: queue.name,
    url: queue.url,
    visible: count("ApproximateNumberOfMessages"),
    inFlight: count("ApproximateNumberOfMessagesNotVisible"),
    delayed: count("ApproximateNumberOfMessagesDelayed"),
  };
}

/** The window of `hours` ending at `now`, cut into periods CloudWatch accepts (multiples of 60 s). */
export function metricsWindow(hours: number, now: Date): { start: Date; periodSeconds: number; periods: number } {
  const seconds = hours * 3600;
  const periodSeconds = Math.max(60, Math.ceil(seconds / TARGET_PERIODS / 60) * 60);
  const periods = Math.ceil(seconds / periodSeconds);
  // Periods end on a whole period, so each point is a complete CloudWatch period of the same bounds.
  const endMs = Math.ceil(now.getTime() / (periodSeconds * 1000)) * periodSeconds * 1000;
  return { start: new Date(endMs - periods * periodSeconds * 1000), periodSeconds, periods };
}

function historyQueries(target: PipelineTarget): { key: SeriesKey; query: MetricQuery }[] {
  const service = { Service: target.metrics.service };
  const own = (key: SeriesKey, metricName: string): { key: SeriesKey; query: MetricQuery } => ({
    key,
    query: {
      id: key.toLowerCase(),
      namespace: target.metrics.namespace,
      metricName,
      dimensions: service,
      stat: "Sum" as const,
    },
  });
  const queries: { key: SeriesKey; query: MetricQuery }[] = [
    own("received", "RecordsReceived"),
    own("succeeded", "RecordsSucceeded"),
    own("poisoned", "RecordsPoisoned"),
    // The library publishes the total of its failure reasons (RecordsFailedTransient, ...) as RecordsFailed.
    own("failed", "RecordsFailed"),
  ];
  if (target.eventSourceMappingUuid) {
    queries.push({
      key: "filteredOut",
      query: {
        id: "filteredout",
        namespace: "AWS/Lambda",
        metricName: "FilteredOutEventCount",
        dimensions: { EventSourceMappingUUID: target.eventSourceMappingUuid },
        stat: "Sum",
      },
    });
  }
  queries.push({
    key: "oldestMessageAge",
    query: {
      id: "oldestmessageage",
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: target.queue.name },
      stat: "Maximum",
    },
  });
  return queries;
}

async function readHistory(
  client: CloudWatchClient,
  target: PipelineTarget,
  options: { readonly hours: number; readonly now: Date },
) {
  const window = metricsWindow(options.hours, options.now);
  const queries = historyQueries(target);
  const values = await readMetricSeries(
    client,
    queries.map(({ query }) => query),
    window,
  );
  return {
    periodSeconds: window.periodSeconds,
    start: window.start.toISOString(),
    end: new Date(window.start.getTime() + window.periods * window.periodSeconds * 1000).toISOString(),
    series: queries.map(({ key, query }): SeriesJson => {
      const points = values.get(query.id) ?? [];
      const present = points.filter((value): value is number => value !== null);
      const total =
        present.length === 0
          ? null
          : query.stat === "Maximum"
            ? Math.max(...present)
            : present.reduce((sum, value) => sum + value, 0);
      return {
        key,
        namespace: query.namespace,
        metricName: query.metricName,
        stat: query.stat,
        dimensions: query.dimensions,
        total,
        values: points,
      };
    }),
  };
}

async function readCurrentAges(
  client: CloudWatchClient,
  target: PipelineTarget,
  now: Date,
): Promise<{ queue: number | null; deadLetterQueue: number | null }> {
  const minute = 60_000;
  const end = Math.floor(now.getTime() / minute) * minute;
  const age = (id: string, queue: QueueAddress): MetricQuery => ({
    id,
    namespace: "AWS/SQS",
    metricName: "ApproximateAgeOfOldestMessage",
    dimensions: { QueueName: queue.name },
    stat: "Maximum",
  });
  const values = await readMetricSeries(client, [age("queue", target.queue), age("dlq", target.deadLetterQueue)], {
    start: new Date(end - AGE_LOOKBACK_MINUTES * minute),
    periodSeconds: 60,
    periods: AGE_LOOKBACK_MINUTES,
  });
  const latest = (id: string): number | null => {
    const points = values.get(id) ?? [];
    for (let at = points.length - 1; at >= 0; at--) if (points[at] !== null) return points[at] ?? null;
    return null;
  };
  return { queue: latest("queue"), deadLetterQueue: latest("dlq") };
}

async function section<T extends object>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { available: true, ...(await read()) };
  } catch (error) {
    return unavailable(oneLine(error));
  }
}

function unavailable(reason: string): { available: false; reason: string } {
  return { available: false, reason };
}

function alarmJson(alarm: AlarmState): AlarmJson {
  return {
    name: alarm.name,
    state: alarm.state,
    reason: alarm.reason ?? null,
    updatedAt: alarm.updatedAt?.toISOString() ?? null,
  };
}

/** An AWS error as one line: its name and message (credentials and access errors say what is wrong). */
function oneLine(error: unknown): string {
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  return `${name === "Error" ? "" : `${name}: `}${message}`.replace(/\s+/g, " ").trim();
}
