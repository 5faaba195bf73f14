import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { BodyFilterPattern } from "../../functions/runtime/poller/index.js";

/** A queue as the synthesized Terraform defines it. */
export interface SynthesizedQueue {
  /** Terraform resource name, the target of `${aws_sqs_queue.<resourceName>.…}` references. */
  readonly resourceName: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly messageRetentionSeconds: number;
  readonly maxMessageSizeBytes: number;
  readonly delaySeconds: number;
  readonly receiveWaitTimeSeconds: number;
}

interface SynthesizedTable {
  readonly resourceName: string;
  readonly name: string;
  readonly hashKey: string;
  readonly rangeKey?: string;
  readonly attributes: readonly { readonly name: string; readonly type: "S" | "N" | "B" }[];
}

interface SynthesizedFunction {
  readonly resourceName: string;
  readonly name: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** Absolute path of the deployment package in the synthesized output. */
  readonly zipPath: string;
  /** As synthesized: values may be `${…}` references to the stack's resources. */
  readonly environment: Readonly<Record<string, string>>;
}

/** One SQS → Lambda event source mapping with everything it connects. */
export interface SynthesizedProcessor {
  readonly resourceName: string;
  /** `enabled = false` in the stack: nothing polls the queue. */
  readonly enabled: boolean;
  readonly queue: SynthesizedQueue;
  readonly deadLetterQueue?: SynthesizedQueue;
  readonly maxReceiveCount?: number;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxConcurrency?: number;
  readonly filterPatterns: readonly BodyFilterPattern[];
  readonly reportBatchItemFailures: boolean;
  readonly function: SynthesizedFunction;
}

/**
 * Archive mode: the mapping from a processor's dead-letter queue to the archiver function, which a
 * local run runs beside the processor's own.
 */
interface SynthesizedArchiver {
  /** The archiver's own mapping (its queue is the processor's dead-letter queue). */
  readonly processor: SynthesizedProcessor;
  /** The mapping whose dead letters it archives. */
  readonly archivesFor: string;
}

export interface SynthesizedStack {
  readonly name: string;
  readonly region: string;
  readonly queues: readonly SynthesizedQueue[];
  readonly tables: readonly SynthesizedTable[];
  /** Terraform resource name and bucket name of each aws_s3_bucket. */
  readonly buckets: readonly { readonly resourceName: string; readonly name: string }[];
  /** Terraform resource name and topic name of each aws_sns_topic. */
  readonly topics: readonly { readonly resourceName: string; readonly name: string }[];
  /** Every SQS mapping of the stack, the archivers' included. */
  readonly processors: readonly SynthesizedProcessor[];
  readonly archivers: readonly SynthesizedArchiver[];
}

/**
 * The parts of cdktf's Terraform JSON read here, by resource type then resource name. Attributes are
 * optional as in Terraform; those checked at run time before use are `unknown`.
 */
interface Resources {
  readonly aws_sqs_queue?: Readonly<Record<string, QueueBlock>>;
  readonly aws_sqs_queue_redrive_policy?: Readonly<Record<string, RedrivePolicyBlock>>;
  readonly aws_dynamodb_table?: Readonly<Record<string, TableBlock>>;
  readonly aws_lambda_event_source_mapping?: Readonly<Record<string, MappingBlock>>;
  readonly aws_lambda_function?: Readonly<Record<string, FunctionBlock>>;
  readonly aws_s3_bucket?: Readonly<Record<string, { readonly bucket?: unknown }>>;
  readonly aws_sns_topic?: Readonly<Record<string, { readonly name?: unknown }>>;
}

interface QueueBlock {
  readonly name?: string;
  readonly fifo_queue?: unknown;
  readonly content_based_deduplication?: unknown;
  readonly visibility_timeout_seconds?: number;
  readonly message_retention_seconds?: number;
  readonly max_message_size?: number;
  readonly delay_seconds?: number;
  readonly receive_wait_time_seconds?: number;
  /** JSON text. */
  readonly redrive_policy?: unknown;
}

interface RedrivePolicyBlock {
  readonly queue_url?: unknown;
  /** JSON text. */
  readonly redrive_policy?: unknown;
}

interface TableBlock {
  readonly name?: string;
  readonly hash_key?: string;
  readonly range_key?: string;
  readonly attribute?: readonly { readonly name: string; readonly type: "S" | "N" | "B" }[];
}

interface MappingBlock {
  readonly event_source_arn?: unknown;
  readonly function_name?: unknown;
  readonly enabled?: unknown;
  readonly batch_size?: number;
  readonly maximum_batching_window_in_seconds?: number;
  readonly scaling_config?: { readonly maximum_concurrency?: number };
  readonly filter_criteria?: { readonly filter?: readonly { readonly pattern: string }[] };
  readonly function_response_types?: readonly string[];
}

interface FunctionBlock {
  readonly function_name?: string;
  readonly handler?: string;
  readonly runtime?: string;
  readonly timeout?: number;
  readonly memory_size?: number;
  readonly filename?: string;
  readonly environment?: { readonly variables?: Readonly<Record<string, string>> };
}

function synthesizedStackFile(outdir: string, stack: string): string {
  return path.resolve(outdir, "stacks", stack, "cdk.tf.json");
}

/**
 * The queues, tables and SQS mappings of a synthesized stack, read from the Terraform JSON that a
 * deployment would apply, so a local run can't drift from what is deployed.
 */
export function readSynthesizedStack(outdir: string, stack: string): SynthesizedStack {
  const file = synthesizedStackFile(outdir, stack);
  if (!existsSync(file)) throw new Error(`no synthesized stack "${stack}" at ${file}: run \`npm run synth\` first`);
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    resource?: Resources;
    provider?: { aws?: { region?: string }[] };
  };
  const resources = json.resource ?? {};
  const queues = Object.entries(resources.aws_sqs_queue ?? {}).map(([name, queue]) => toQueue(name, queue));
  const tables = Object.entries(resources.aws_dynamodb_table ?? {}).map(([name, table]) => toTable(name, table));
  const processors = Object.entries(resources.aws_lambda_event_source_mapping ?? {})
    .filter(([, mapping]) => referencedResource(mapping.event_source_arn, "aws_sqs_queue") !== undefined)
    .map(([name, mapping]) => toProcessor(name, mapping, resources, queues, path.dirname(file)));
  // A bucket named by Terraform (bucket_prefix, or a reference) gets a local name from its resource name.
  const buckets = Object.entries(resources.aws_s3_bucket ?? {}).map(([resourceName, bucket]) => ({
    resourceName,
    name:
      typeof bucket.bucket === "string" && !bucket.bucket.includes("${")
        ? bucket.bucket
        : `local-${resourceName.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`.slice(0, 63).replace(/-+$/, ""),
  }));
  const topics = Object.entries(resources.aws_sns_topic ?? {}).map(([resourceName, topic]) => ({
    resourceName,
    name: typeof topic.name === "string" ? topic.name : resourceName,
  }));
  return {
    name: stack,
    region: json.provider?.aws?.[0]?.region ?? "us-east-1",
    queues,
    tables,
    buckets,
    topics,
    processors,
    archivers: findArchivers(processors),
  };
}

/** The variable that marks the construct's archiver function (archive mode). */
const ARCHIVER_MARKER_VARIABLE = "ARCHIVE_BUCKET";

/** Each mapping whose function has ARCHIVE_BUCKET and whose queue is another mapping's dead-letter queue. */
function findArchivers(processors: readonly SynthesizedProcessor[]): SynthesizedArchiver[] {
  return processors.flatMap((candidate) => {
    if (candidate.function.environment[ARCHIVER_MARKER_VARIABLE] === undefined) return [];
    const source = processors.find(
      (processor) => processor.deadLetterQueue?.resourceName === candidate.queue.resourceName,
    );
    return source ? [{ processor: candidate, archivesFor: source.resourceName }] : [];
  });
}

function toQueue(resourceName: string, queue: QueueBlock): SynthesizedQueue {
  const name = String(queue.name ?? resourceName);
  return {
    resourceName,
    name,
    fifo: queue.fifo_queue === true || name.endsWith(".fifo"),
    contentBasedDeduplication: queue.content_based_deduplication === true,
    // AWS's defaults for what the Terraform leaves out.
    visibilityTimeoutSeconds: queue.visibility_timeout_seconds ?? 30,
    messageRetentionSeconds: queue.message_retention_seconds ?? 345_600,
    maxMessageSizeBytes: queue.max_message_size ?? 262_144,
    delaySeconds: queue.delay_seconds ?? 0,
    receiveWaitTimeSeconds: queue.receive_wait_time_seconds ?? 0,
  };
}

function toTable(resourceName: string, table: TableBlock): SynthesizedTable {
  return {
    resourceName,
    name: String(table.name),
    hashKey: String(table.hash_key),
    ...(table.range_key ? { rangeKey: String(table.range_key) } : {}),
    attributes: (table.attribute ?? []).map((attribute) => ({ name: attribute.name, type: attribute.type })),
  };
}

function toProcessor(
  resourceName: string,
  mapping: MappingBlock,
  resources: Resources,
  queues: readonly SynthesizedQueue[],
  stackDirectory: string,
): SynthesizedProcessor {
  const queueName = referencedResource(mapping.event_source_arn, "aws_sqs_queue");
  const queue = queues.find((candidate) => candidate.resourceName === queueName);
  if (!queue) {
    throw new Error(
      `event source mapping ${resourceName}: event_source_arn ${JSON.stringify(mapping.event_source_arn)} names no aws_sqs_queue of the stack`,
    );
  }
  const functionName = referencedResource(mapping.function_name, "aws_lambda_function");
  const fn = functionName ? resources.aws_lambda_function?.[functionName] : undefined;
  if (!fn || !functionName) {
    throw new Error(
      `event source mapping ${resourceName}: function_name ${JSON.stringify(mapping.function_name)} names no aws_lambda_function of the stack`,
    );
  }
  const redrive = redrivePolicyOf(queue, resources);
  const deadLetterQueue =
    redrive &&
    queues.find(
      (candidate) => candidate.resourceName === referencedResource(redrive.deadLetterTargetArn, "aws_sqs_queue"),
    );
  const batchSize = mapping.batch_size ?? 10;
  return {
    resourceName,
    enabled: mapping.enabled !== false,
    queue,
    ...(deadLetterQueue ? { deadLetterQueue, maxReceiveCount: Number(redrive.maxReceiveCount) } : {}),
    batchSize,
    maxBatchingWindowSeconds: mapping.maximum_batching_window_in_seconds ?? 0,
    ...(mapping.scaling_config?.maximum_concurrency
      ? { maxConcurrency: mapping.scaling_config.maximum_concurrency }
      : {}),
    filterPatterns: (mapping.filter_criteria?.filter ?? []).map(
      (filter) => JSON.parse(filter.pattern) as BodyFilterPattern,
    ),
    reportBatchItemFailures: (mapping.function_response_types ?? []).includes("ReportBatchItemFailures"),
    function: {
      resourceName: functionName,
      name: String(fn.function_name),
      handler: fn.handler ?? "index.handler",
      runtime: String(fn.runtime),
      timeoutSeconds: fn.timeout ?? 3,
      memorySizeMb: fn.memory_size ?? 128,
      zipPath: path.resolve(stackDirectory, String(fn.filename)),
      environment: fn.environment?.variables ?? {},
    },
  };
}

/** The queue's redrive policy, inline or from an aws_sqs_queue_redrive_policy that names the queue. */
function redrivePolicyOf(
  queue: SynthesizedQueue,
  resources: Resources,
): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  const inline = resources.aws_sqs_queue?.[queue.resourceName]?.redrive_policy;
  const separate = Object.values(resources.aws_sqs_queue_redrive_policy ?? {}).find(
    (policy) => referencedResource(policy.queue_url, "aws_sqs_queue") === queue.resourceName,
  )?.redrive_policy;
  const policy = inline ?? separate;
  return typeof policy === "string" ? JSON.parse(policy) : undefined;
}

/** `aws_sqs_queue.q` for `${aws_sqs_queue.q.arn}`. */
function referencedResource(value: unknown, type: string): string | undefined {
  const match = typeof value === "string" ? /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(value) : null;
  return match && match[1] === type ? match[2] : undefined;
}
