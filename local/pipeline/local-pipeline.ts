import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import {
  createEventSourceMapping,
  type EventSourceMapping,
  type MappingOptions,
} from "../../functions/runtime/poller/index.js";
import { createFunctionContainers, type FunctionContainers } from "../containers/function-containers.js";
import { createLocalResources, type LocalQueue, type LocalResources } from "../servers/local-resources.js";
import { LOCAL_CREDENTIALS } from "../servers/local-servers.js";
import { createLocalArchiver, type LocalArchiver } from "./local-archiver.js";
import type { SynthesizedProcessor, SynthesizedStack } from "./synthesized-stack.js";

/** Without a maximum concurrency, Lambda scales far beyond what a laptop should run. */
const DEFAULT_LOCAL_CONCURRENCY = 5;

export interface LocalPipelineOptions {
  readonly stack: SynthesizedStack;
  /** The event source mapping's Terraform resource name; default the stack's only one. */
  readonly processor?: string;
  readonly sqs: { readonly endpoint: string; readonly client: SQSClient };
  readonly dynamo: { readonly endpoint: string; readonly client: DynamoDBClient };
  /** Where the function's SDK clients connect (e.g. through a fault proxy); default the servers. */
  readonly functionEndpoints?: { readonly sqs?: string; readonly dynamo?: string; readonly s3?: string };
  /** Added to (and overriding) the function's synthesized environment. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Overrides of the synthesized mapping and function settings, for experiments and tests. */
  readonly overrides?: Partial<
    Pick<
      MappingOptions,
      "batchSize" | "maxBatchingWindowSeconds" | "maxConcurrency" | "functionTimeoutSeconds" | "filterPatterns"
    >
  >;
  readonly onInvocation?: MappingOptions["onInvocation"];
  readonly onFiltered?: (count: number) => void;
  /** Each line the function writes (its JSON logs and metrics). */
  readonly onFunctionOutput?: (line: string) => void;
  /** Each line the archiver writes (archive mode). */
  readonly onArchiverOutput?: (line: string) => void;
}

export interface LocalPipeline {
  readonly processor: SynthesizedProcessor;
  readonly resources: LocalResources;
  readonly queue: LocalQueue;
  readonly deadLetterQueue?: LocalQueue;
  readonly tableNames: readonly string[];
  /** The settings the mapping runs with, after overrides. */
  readonly settings: {
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly maxConcurrency: number;
    readonly functionTimeoutSeconds: number;
    readonly filterPatterns: number;
    readonly maxReceiveCount?: number;
  };
  readonly containers: FunctionContainers;
  /** Archive mode: the archiver draining the dead-letter queue into S3, polled with the processor. */
  readonly archiver?: LocalArchiver;
  /** Invocations running now. */
  readonly invocationsInFlight: number;
  /** Starts (or restarts) polling. */
  start(): void;
  /** Stops polling and waits for in-flight invocations. */
  stopPolling(): Promise<void>;
  /** Stops polling and the function's containers; the servers are the caller's. */
  close(): Promise<void>;
}

/**
 * A synthesized stack's SQS → Lambda path on local servers: its queues and tables created as the
 * Terraform defines them, its deployment package run in local containers with its environment,
 * and a local event source mapping with its batching, concurrency, filter and response settings.
 */
export async function createLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const processor = chooseProcessor(options.stack, options.processor);
  // fauxqs names queue URLs after the endpoint they were created through, and the function's SQS
  // client sends to the queue URL's host: creating them through the function's endpoint routes the
  // function's own SQS calls (the dead-letter copies) there too.
  const creator = options.functionEndpoints?.sqs
    ? new SQSClient({
        endpoint: options.functionEndpoints.sqs,
        region: options.stack.region,
        credentials: LOCAL_CREDENTIALS,
      })
    : options.sqs.client;
  // fauxqs serves S3 and SNS on the SQS endpoint.
  const localClient = { endpoint: options.sqs.endpoint, region: options.stack.region, credentials: LOCAL_CREDENTIALS };
  const s3 = new S3Client({ ...localClient, forcePathStyle: true });
  const sns = new SNSClient(localClient);
  const closeClients = () => {
    s3.destroy();
    sns.destroy();
  };
  const resources = await createLocalResources(options.stack, {
    sqs: creator,
    dynamo: options.dynamo.client,
    s3,
    sns,
  })
    .catch((error: unknown) => {
      closeClients();
      throw error;
    })
    .finally(() => {
      if (creator !== options.sqs.client) creator.destroy();
    });
  const queue = resources.queues.get(processor.queue.resourceName);
  // Invariant: createLocalResources creates every queue of the stack, and the processor's queue is one of them.
  if (!queue) throw new Error(`queue ${processor.queue.resourceName} was not created locally`);
  const deadLetterQueue = processor.deadLetterQueue
    ? resources.queues.get(processor.deadLetterQueue.resourceName)
    : undefined;
  const fn = processor.function;
  const environment: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(fn.environment).map(([name, value]) => [name, resolveVariable(name, value, resources)]),
    ),
    AWS_REGION: options.stack.region,
    AWS_DEFAULT_REGION: options.stack.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
    // Lambda runs nodejs22.x; the warning is about the local Node the containers borrow.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    // The queue URLs' own origin: the SDK sends there anyway, and warns on every call when the
    // configured endpoint names another host.
    AWS_ENDPOINT_URL_SQS: new URL(queue.url).origin,
    AWS_ENDPOINT_URL_DYNAMODB: options.functionEndpoints?.dynamo ?? options.dynamo.endpoint,
    ...options.environment,
  };
  const containers = createFunctionContainers({
    zipPath: fn.zipPath,
    handler: fn.handler,
    environment,
    ...(options.onFunctionOutput ? { onOutput: options.onFunctionOutput } : {}),
  });
  const settings = {
    batchSize: options.overrides?.batchSize ?? processor.batchSize,
    maxBatchingWindowSeconds: options.overrides?.maxBatchingWindowSeconds ?? processor.maxBatchingWindowSeconds,
    maxConcurrency: options.overrides?.maxConcurrency ?? processor.maxConcurrency ?? DEFAULT_LOCAL_CONCURRENCY,
    functionTimeoutSeconds: options.overrides?.functionTimeoutSeconds ?? fn.timeoutSeconds,
  };
  const filterPatterns = options.overrides?.filterPatterns ?? processor.filterPatterns;
  const archiverMapping = options.stack.archivers.find(
    (archiver) => archiver.archivesFor === processor.resourceName && archiver.processor.enabled,
  );
  let archiver: LocalArchiver | undefined;
  if (archiverMapping && deadLetterQueue) {
    archiver = await createLocalArchiver({
      processor: archiverMapping.processor,
      deadLetterQueue,
      resources,
      region: options.stack.region,
      endpoint: options.sqs.endpoint,
      sqs: options.sqs.client,
      s3,
      sns,
      ...(options.functionEndpoints?.s3 ? { s3Endpoint: options.functionEndpoints.s3 } : {}),
      baseEnvironment: {
        AWS_REGION: options.stack.region,
        AWS_DEFAULT_REGION: options.stack.region,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...(options.environment?.LOG_LEVEL ? { LOG_LEVEL: options.environment.LOG_LEVEL } : {}),
      },
      ...(options.onArchiverOutput ? { onOutput: options.onArchiverOutput } : {}),
    }).catch(async (error: unknown) => {
      await containers.close();
      closeClients();
      throw error;
    });
  }
  const mapping: EventSourceMapping = createEventSourceMapping({
    client: options.sqs.client,
    queueUrl: queue.url,
    queueArn: queue.arn,
    handler: (event: SQSEvent, context) => containers.invoke(event, context) as ReturnType<MappingOptions["handler"]>,
    // The containers time a cold start's init apart from the function timeout, as Lambda does.
    handlerHasInitPhase: true,
    ...settings,
    filterPatterns,
    reportBatchItemFailures: processor.reportBatchItemFailures,
    functionName: fn.name,
    ...(options.onInvocation ? { onInvocation: options.onInvocation } : {}),
    ...(options.onFiltered ? { onFiltered: options.onFiltered } : {}),
  });
  return {
    processor,
    resources,
    queue,
    ...(deadLetterQueue ? { deadLetterQueue } : {}),
    tableNames: [...resources.tables.values()],
    settings: {
      ...settings,
      filterPatterns: filterPatterns.length,
      ...(processor.maxReceiveCount ? { maxReceiveCount: processor.maxReceiveCount } : {}),
    },
    containers,
    ...(archiver ? { archiver } : {}),
    get invocationsInFlight() {
      return mapping.inFlight;
    },
    start: () => {
      mapping.start();
      archiver?.start();
    },
    stopPolling: async () => {
      await Promise.all([mapping.stop(), archiver?.stopPolling()]);
    },
    async close() {
      await Promise.all([mapping.stop(), archiver?.stopPolling()]);
      await Promise.all([containers.close(), archiver?.close()]);
      closeClients();
    },
  };
}

function chooseProcessor(stack: SynthesizedStack, name: string | undefined): SynthesizedProcessor {
  // An archiver's mapping runs beside the processor whose dead letters it archives, never in its place.
  const archivers = new Set(stack.archivers.map((archiver) => archiver.processor.resourceName));
  const candidates = stack.processors.filter((processor) => !archivers.has(processor.resourceName));
  const names = candidates.map((processor) => processor.resourceName);
  const processor =
    name === undefined && candidates.length === 1
      ? candidates[0]
      : candidates.find((candidate) => candidate.resourceName === name);
  if (!processor) {
    throw new Error(
      candidates.length === 0
        ? `stack ${stack.name} has no SQS event source mapping`
        : `processor must name one of stack ${stack.name}'s event source mappings: ${names.join(", ")} (got ${name ?? "nothing"})`,
    );
  }
  if (!processor.enabled) {
    throw new Error(
      `event source mapping ${processor.resourceName} of stack ${stack.name} is disabled (enabled = false): nothing would poll ${processor.queue.name}`,
    );
  }
  return processor;
}

function resolveVariable(name: string, value: string, resources: LocalResources): string {
  try {
    return resources.resolve(value);
  } catch (error) {
    throw new Error(`the function's environment variable ${name}: ${(error as Error).message}`);
  }
}
