import path from "node:path";
import { fileURLToPath } from "node:url";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createLogger, type Logger, parseLogLevel } from "@queue-processor/runtime";
import {
  createMetricsPublisher,
  describeRange,
  isInRange,
  MAPPING_LIMITS,
  type MetricsPublisher,
  runConsumer,
  type SettingRange,
} from "@queue-processor/runtime/poller";

/**
 * The order processor as a long-running consumer (a container on ECS, an EC2 instance) instead of a
 * Lambda function: the same handler, batches and partial batch responses. SIGTERM or SIGINT drains
 * the batches in flight and exits 0.
 *
 * Run: `node --import tsx functions/order-processor/consumer.ts`, with the handler's environment
 * (TABLE_NAME, DLQ_URL, LOG_LEVEL) and this one's (see {@link consumerConfigFromEnvironment}).
 */
export interface ConsumerConfig {
  readonly queueUrl: string;
  readonly batchSize?: number;
  readonly maxConcurrency?: number;
  readonly functionTimeoutSeconds?: number;
  readonly metrics: MetricsConfig;
}

/**
 * METRICS, where the handler's metrics go: `emf` (the default: an EMF document per batch on standard
 * output, as in Lambda, for a CloudWatch agent or FireLens), `cloudwatch` (PutMetricData, aggregated
 * per interval: outside Lambda without an agent, EMF reaches no metric), or `off`. `emf` stays the
 * default so that a consumer already behind an agent does not publish everything twice.
 */
export interface MetricsConfig {
  readonly destination: "cloudwatch" | "emf" | "off";
  /** METRICS_INTERVAL_SECONDS, 1-3,600. @default 60 */
  readonly intervalSeconds: number;
  /** METRICS_SERVICE: the `Service` dimension. @default - the consumer's function name, `local-<queue name>` */
  readonly service?: string;
}

const METRICS_DESTINATIONS = ["cloudwatch", "emf", "off"] as const;
const METRICS_INTERVAL = { min: 1, max: 3600, integer: true } as const;

/**
 * QUEUE_URL (required); BATCH_SIZE 1-10 (no batching window is set, which larger batches need),
 * MAX_CONCURRENCY 2-1000 and FUNCTION_TIMEOUT_SECONDS up to 900, each defaulting as Lambda does.
 * An empty variable counts as unset. Throws an error naming the variable, its value and what is allowed.
 */
export function consumerConfigFromEnvironment(env: Readonly<Record<string, string | undefined>>): ConsumerConfig {
  const queueUrl = env.QUEUE_URL?.trim();
  if (!queueUrl) throw new Error("QUEUE_URL must be set to the URL of the queue to consume (got nothing)");
  if (!/^https?:\/\/\S+$/.test(queueUrl)) {
    throw new Error(`QUEUE_URL must be an http(s) queue URL (got ${JSON.stringify(env.QUEUE_URL)})`);
  }
  return {
    queueUrl,
    batchSize: optionalNumber(env, "BATCH_SIZE", MAPPING_LIMITS.batchSizeWithoutWindow),
    maxConcurrency: optionalNumber(env, "MAX_CONCURRENCY", MAPPING_LIMITS.maxConcurrency),
    functionTimeoutSeconds: optionalNumber(env, "FUNCTION_TIMEOUT_SECONDS", MAPPING_LIMITS.functionTimeoutSeconds),
    metrics: metricsConfigFromEnvironment(env),
  };
}

function metricsConfigFromEnvironment(env: Readonly<Record<string, string | undefined>>): MetricsConfig {
  const destination = env.METRICS?.trim() || "emf";
  if (!(METRICS_DESTINATIONS as readonly string[]).includes(destination)) {
    throw new RangeError(
      `METRICS must be one of ${METRICS_DESTINATIONS.join(", ")} (got ${JSON.stringify(env.METRICS)})`,
    );
  }
  const service = env.METRICS_SERVICE?.trim();
  return {
    destination: destination as MetricsConfig["destination"],
    intervalSeconds: optionalNumber(env, "METRICS_INTERVAL_SECONDS", METRICS_INTERVAL) ?? 60,
    ...(service ? { service } : {}),
  };
}

function optionalNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  range: SettingRange,
): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  // Number() would also take "0x10", "1e1" and "Infinity": only plain decimals are allowed.
  if (!/^\d+(\.\d+)?$/.test(raw) || !isInRange(Number(raw), range)) {
    throw new RangeError(`${name} must be ${describeRange(range)} (got ${JSON.stringify(env[name])})`);
  }
  return Number(raw);
}

async function main(): Promise<void> {
  const logger = createLogger({ level: parseLogLevel(process.env.LOG_LEVEL), fields: { component: "order-consumer" } });
  try {
    const config = consumerConfigFromEnvironment(process.env);
    // Loaded here, not imported at the top: the handler reads its own environment when loaded, so
    // this module stays importable (tests) and our variables are checked first.
    const { createOrderHandler } = await import("./handler.js");
    // Region, credentials, AWS_ENDPOINT_URL_SQS and AWS_ENDPOINT_URL_CLOUDWATCH come from the environment.
    const client = new SQSClient({ maxAttempts: 3 });
    const { metrics, ...mapping } = config;
    const publisher = startPublisher(metrics, logger);
    const handler = createOrderHandler(
      metrics.destination === "off" ? { sink: () => undefined } : { sink: publisher?.sink, service: metrics.service },
    );
    logger.info("consumer started", { ...mapping, metrics });
    const { stoppedBy } = await runConsumer({ client, handler, ...mapping });
    // After the drain, so the last batches' metrics are sent too.
    await publisher?.close();
    logger.info("consumer stopped after draining", { stoppedBy, metrics: publisher?.stats });
    client.destroy();
    // A batch abandoned at its timeout may still hold the event loop; Lambda would have stopped it.
    setTimeout(() => process.exit(), 2000).unref();
  } catch (error) {
    logger.error("consumer failed", { error });
    process.exitCode = 1;
  }
}

function startPublisher(metrics: MetricsConfig, logger: Logger): MetricsPublisher | undefined {
  if (metrics.destination !== "cloudwatch") return undefined;
  // Short timeouts and few retries: a slow CloudWatch costs these metrics, never the consumer's time.
  const client = new CloudWatchClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 },
  });
  return createMetricsPublisher({ client, intervalSeconds: metrics.intervalSeconds, logger });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
