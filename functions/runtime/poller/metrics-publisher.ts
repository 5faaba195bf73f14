import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CLOUDWATCH } from "../aws-limits.js";
import type { Logger } from "../log.js";
import type { MetricsSample } from "../metrics.js";

/**
 * The batch library's metrics outside Lambda, where EMF needs an agent: each invocation's sample is
 * aggregated per interval and sent with PutMetricData, with the same namespace, names, units and
 * `Service` dimension as the EMF document. Recording is synchronous and never waits for CloudWatch;
 * sending is bounded (pending requests, a timeout per request) and a failure is logged and counted,
 * never thrown into processing.
 */
export interface MetricsPublisherOptions {
  readonly client: CloudWatchClient;
  /** Seconds one aggregate covers, aligned to the clock: 1-3,600. @default 60 */
  readonly intervalSeconds?: number;
  /** How long one PutMetricData may take (the SDK's retries included) before it is abandoned, in ms. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Requests waiting to be sent, at most; beyond, the oldest is dropped and its data counted as dropped. @default 20 */
  readonly maxPendingRequests?: number;
  /** How long {@link MetricsPublisher.close} waits for the last requests, in ms. @default 5000 */
  readonly closeTimeoutMs?: number;
  /** @default - none: failures are only counted */
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface MetricsPublisher {
  /** Pass as the batch library's `metrics.sink`. Returns at once. */
  readonly sink: (sample: MetricsSample) => void;
  /** Sends what is complete (intervals already over); the timer calls it every interval. */
  flush(): void;
  /** Stops the timer, sends everything buffered and waits for it (at most `closeTimeoutMs`). Never rejects. */
  close(): Promise<void>;
  readonly stats: Readonly<PublisherStats>;
}

export interface PublisherStats {
  samples: number;
  requestsSent: number;
  requestsFailed: number;
  datumsSent: number;
  /** Data lost: a failed or abandoned request, the pending bound, or a value CloudWatch would refuse. */
  datumsDropped: number;
}

/** Distinct values kept exactly per metric and interval (4 datums of 150); more are summarized in statistics. */
const MAX_DISTINCT_VALUES = 4 * CLOUDWATCH.putMetricData.maxValuesPerDatum;
/** Metric series (namespace, service, name) per interval; a sink fed unbounded names would grow without it. */
const MAX_SERIES_PER_INTERVAL = 1000;
/** CloudWatch refuses values beyond ±2^360. */
const MAX_MAGNITUDE = 2 ** 360;

interface Series {
  readonly namespace: string;
  readonly service: string;
  readonly name: string;
  readonly unit: string;
  readonly counts: Map<number, number>;
  overflow?: { sampleCount: number; sum: number; minimum: number; maximum: number };
}

interface Interval {
  readonly startMs: number;
  readonly series: Map<string, Series>;
}

interface PendingRequest {
  readonly namespace: string;
  readonly data: MetricDatum[];
}

export function createMetricsPublisher(options: MetricsPublisherOptions): MetricsPublisher {
  const intervalMs = rangeOption("intervalSeconds", options.intervalSeconds ?? 60, 1, 3600) * 1000;
  const requestTimeoutMs = rangeOption("requestTimeoutMs", options.requestTimeoutMs ?? 5000, 100, 60_000);
  const maxPending = rangeOption("maxPendingRequests", options.maxPendingRequests ?? 20, 1, 1000);
  const closeTimeoutMs = rangeOption("closeTimeoutMs", options.closeTimeoutMs ?? 5000, 0, 60_000);
  const now = options.now ?? Date.now;
  const { client, logger } = options;
  const intervals = new Map<number, Interval>();
  const pending: PendingRequest[] = [];
  const stats: PublisherStats = { samples: 0, requestsSent: 0, requestsFailed: 0, datumsSent: 0, datumsDropped: 0 };
  let sending: Promise<void> | undefined;
  let closed = false;
  const timer = setInterval(() => flush(), intervalMs);
  timer.unref();

  function sink(sample: MetricsSample): void {
    if (closed) {
      // A batch that ends after shutdown: its metrics have nowhere to go, but they are not lost silently.
      stats.datumsDropped += sample.values.length;
      return;
    }
    stats.samples++;
    const startMs = Math.floor(sample.timestamp / intervalMs) * intervalMs;
    const interval = intervals.get(startMs) ?? { startMs, series: new Map<string, Series>() };
    intervals.set(startMs, interval);
    for (const metric of sample.values) {
      if (!Number.isFinite(metric.value) || Math.abs(metric.value) > MAX_MAGNITUDE) {
        stats.datumsDropped++;
        continue;
      }
      const key = JSON.stringify([sample.namespace, sample.service, metric.name, metric.unit]);
      let series = interval.series.get(key);
      if (!series) {
        if (interval.series.size >= MAX_SERIES_PER_INTERVAL) {
          stats.datumsDropped++;
          continue;
        }
        series = {
          namespace: sample.namespace,
          service: sample.service,
          name: metric.name,
          unit: metric.unit,
          counts: new Map(),
        };
        interval.series.set(key, series);
      }
      addValue(series, metric.value);
    }
  }

  function flush(all = false): void {
    const cutoff = all ? Number.POSITIVE_INFINITY : now();
    for (const [startMs, interval] of intervals) {
      if (startMs + intervalMs > cutoff) continue;
      intervals.delete(startMs);
      for (const request of toRequests(interval)) enqueue(request);
    }
    sending ??= drain();
  }

  function enqueue(request: PendingRequest): void {
    pending.push(request);
    while (pending.length > maxPending) {
      const dropped = pending.shift();
      stats.datumsDropped += dropped?.data.length ?? 0;
      logger?.warn("metrics dropped: too many PutMetricData requests waiting", {
        datums: dropped?.data.length,
        maxPendingRequests: maxPending,
      });
    }
  }

  /** Sends one request at a time; `sending` is cleared in the same tick the queue is found empty, so nothing waits behind a finished drain. */
  async function drain(): Promise<void> {
    try {
      await sendPending();
    } finally {
      sending = undefined;
    }
  }

  async function sendPending(): Promise<void> {
    for (let request = pending.shift(); request; request = pending.shift()) {
      try {
        await client.send(new PutMetricDataCommand({ Namespace: request.namespace, MetricData: request.data }), {
          abortSignal: AbortSignal.timeout(requestTimeoutMs),
        });
        stats.requestsSent++;
        stats.datumsSent += request.data.length;
      } catch (error) {
        stats.requestsFailed++;
        stats.datumsDropped += request.data.length;
        logger?.error("PutMetricData failed; these metrics are lost", {
          namespace: request.namespace,
          datums: request.data.length,
          error: (error as Error).name,
          reason: (error as Error).message,
        });
      }
    }
  }

  async function close(): Promise<void> {
    if (closed) return sending;
    closed = true;
    clearInterval(timer);
    flush(true);
    const waited = await Promise.race([
      (sending ?? Promise.resolve()).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), closeTimeoutMs).unref()),
    ]);
    if (!waited) {
      const lost = pending.splice(0).reduce((sum, request) => sum + request.data.length, 0);
      stats.datumsDropped += lost;
      logger?.warn("metrics not sent before shutdown", { datums: lost, closeTimeoutMs });
    }
  }

  return { sink, flush: () => flush(), close, stats };
}

function addValue(series: Series, value: number): void {
  const count = series.counts.get(value);
  if (count !== undefined || series.counts.size < MAX_DISTINCT_VALUES) {
    series.counts.set(value, (count ?? 0) + 1);
    return;
  }
  const overflow = series.overflow;
  if (!overflow) series.overflow = { sampleCount: 1, sum: value, minimum: value, maximum: value };
  else {
    overflow.sampleCount++;
    overflow.sum += value;
    overflow.minimum = Math.min(overflow.minimum, value);
    overflow.maximum = Math.max(overflow.maximum, value);
  }
}

/** One interval as PutMetricData requests: one namespace each, at most 1,000 data and under 1 MB of JSON. */
function toRequests(interval: Interval): PendingRequest[] {
  const timestamp = new Date(interval.startMs);
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const series of interval.series.values()) {
    const base = {
      MetricName: series.name,
      Dimensions: [{ Name: "Service", Value: series.service }],
      Timestamp: timestamp,
      Unit: series.unit as MetricDatum["Unit"],
    };
    const data = byNamespace.get(series.namespace) ?? [];
    byNamespace.set(series.namespace, data);
    const entries = [...series.counts];
    for (let at = 0; at < entries.length; at += CLOUDWATCH.putMetricData.maxValuesPerDatum) {
      const chunk = entries.slice(at, at + CLOUDWATCH.putMetricData.maxValuesPerDatum);
      data.push({ ...base, Values: chunk.map(([value]) => value), Counts: chunk.map(([, count]) => count) });
    }
    const overflow = series.overflow;
    if (overflow) {
      data.push({
        ...base,
        StatisticValues: {
          SampleCount: overflow.sampleCount,
          Sum: overflow.sum,
          Minimum: overflow.minimum,
          Maximum: overflow.maximum,
        },
      });
    }
  }
  const requests: PendingRequest[] = [];
  for (const [namespace, data] of byNamespace) {
    // Room for the envelope ({"Namespace":...,"MetricData":[...]}) on top of the data.
    const envelopeBytes = 64 + Buffer.byteLength(namespace);
    let current: MetricDatum[] = [];
    let bytes = envelopeBytes;
    for (const datum of data) {
      const size = jsonBytes(datum) + 1;
      if (
        current.length > 0 &&
        (current.length >= CLOUDWATCH.putMetricData.maxMetricData ||
          bytes + size > CLOUDWATCH.putMetricData.maxRequestBytes)
      ) {
        requests.push({ namespace, data: current });
        current = [];
        bytes = envelopeBytes;
      }
      current.push(datum);
      bytes += size;
    }
    if (current.length > 0) requests.push({ namespace, data: current });
  }
  return requests;
}

/** A datum's size as the SDK writes it (AWS JSON 1.0: the timestamp as epoch seconds). */
function jsonBytes(datum: MetricDatum): number {
  return Buffer.byteLength(
    JSON.stringify({ ...datum, Timestamp: datum.Timestamp ? datum.Timestamp.getTime() / 1000 : undefined }),
  );
}

function rangeOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new RangeError(
    `${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value) ?? String(value)})`,
  );
}
