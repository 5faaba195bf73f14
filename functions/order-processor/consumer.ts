import path from "node:path";
import { fileURLToPath } from "node:url";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createLogger, parseLogLevel } from "../lib/log.js";
import { describeRange, isInRange, MAPPING_LIMITS, runConsumer, type SettingRange } from "../poller/index.js";

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
}

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
    const { handler } = await import("./handler.js");
    // Region, credentials and AWS_ENDPOINT_URL_SQS come from the environment, as for the handler.
    const client = new SQSClient({ maxAttempts: 3 });
    logger.info("consumer started", { ...config });
    const { stoppedBy } = await runConsumer({ client, handler, ...config });
    logger.info("consumer stopped after draining", { stoppedBy });
    client.destroy();
    // A batch abandoned at its timeout may still hold the event loop; Lambda would have stopped it.
    setTimeout(() => process.exit(), 2000).unref();
  } catch (error) {
    logger.error("consumer failed", { error });
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
