import { CreateBucketCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { DEFAULT_ARCHIVE_PREFIX } from "../../functions/runtime/archive/dead-letter-record.js";
import { createEventSourceMapping, type MappingOptions } from "../../functions/runtime/poller/index.js";
import { createFunctionContainers, type FunctionContainers } from "../containers/function-containers.js";
import { createQueue } from "../servers/create-queue.js";
import type { LocalQueue, LocalResources } from "../servers/local-resources.js";
import type { SynthesizedProcessor } from "./synthesized-stack.js";

/** The archiver of archive mode, running locally beside the processor: it drains the dead-letter queue into S3. */
export interface LocalArchiver {
  readonly functionName: string;
  readonly bucket: string;
  readonly prefix: string;
  /** The local topic the archiver alerts; its alerts are copied to {@link alertsQueueUrl}. */
  readonly topicArn: string;
  /** A local queue subscribed to the topic, so a run can count the alerts really published. */
  readonly alertsQueueUrl: string;
  readonly containers: FunctionContainers;
  readonly invocationsInFlight: number;
  start(): void;
  stopPolling(): Promise<void>;
  close(): Promise<void>;
}

export interface LocalArchiverOptions {
  readonly processor: SynthesizedProcessor;
  readonly deadLetterQueue: LocalQueue;
  readonly resources: LocalResources;
  readonly region: string;
  /** The fauxqs endpoint (SQS, S3 and SNS), and clients for it. */
  readonly endpoint: string;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  /** Where the archiver's S3 calls go (e.g. through a fault proxy); default the endpoint. */
  readonly s3Endpoint?: string;
  /** The variables every local function gets (region, credentials, ...), added to its synthesized ones. */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  readonly functionTimeoutSeconds?: number;
  readonly onInvocation?: MappingOptions["onInvocation"];
  readonly onOutput?: (line: string) => void;
}

/**
 * The synthesized archiver (its deployment package, environment and mapping from the DLQ) on the
 * local servers. Its bucket and topic are the stack's, created by createLocalResources; a bucket or
 * topic the stack only names (the caller's own, in `deadLetters.bucket` or `alarms.topicArn`) is
 * created here under the same name, since nothing else would exist locally.
 */
export async function createLocalArchiver(options: LocalArchiverOptions): Promise<LocalArchiver> {
  const fn = options.processor.function;
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    try {
      variables[name] = options.resources.resolve(value);
    } catch (error) {
      throw new Error(`the archiver's environment variable ${name}: ${(error as Error).message}`);
    }
  }
  const bucket = variables.ARCHIVE_BUCKET ?? "";
  await ensureBucket(options.s3, bucket);
  const topicArn = await localTopicArn(options.sns, options.resources, variables.ALERT_TOPIC_ARN);
  const alerts = await createQueue(options.sqs, `${fn.name}-local-alerts`.slice(0, 80), {});
  await options.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: alerts.arn }));

  const containers = createFunctionContainers({
    zipPath: fn.zipPath,
    handler: fn.handler,
    environment: {
      ...variables,
      ALERT_TOPIC_ARN: topicArn,
      ...options.baseEnvironment,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
      AWS_ENDPOINT_URL_S3: options.s3Endpoint ?? options.endpoint,
      AWS_ENDPOINT_URL_SNS: options.endpoint,
    },
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  const mapping = createEventSourceMapping({
    client: options.sqs,
    queueUrl: options.deadLetterQueue.url,
    queueArn: options.deadLetterQueue.arn,
    handler: (event: SQSEvent, context) => containers.invoke(event, context) as ReturnType<MappingOptions["handler"]>,
    handlerHasInitPhase: true,
    batchSize: options.processor.batchSize,
    maxBatchingWindowSeconds: options.processor.maxBatchingWindowSeconds,
    maxConcurrency: options.processor.maxConcurrency ?? 2,
    functionTimeoutSeconds: options.functionTimeoutSeconds ?? fn.timeoutSeconds,
    filterPatterns: options.processor.filterPatterns,
    reportBatchItemFailures: options.processor.reportBatchItemFailures,
    functionName: fn.name,
    ...(options.onInvocation ? { onInvocation: options.onInvocation } : {}),
  });
  return {
    functionName: fn.name,
    bucket,
    prefix: variables.ARCHIVE_PREFIX ?? DEFAULT_ARCHIVE_PREFIX,
    topicArn,
    alertsQueueUrl: alerts.url,
    containers,
    get invocationsInFlight() {
      return mapping.inFlight;
    },
    start: () => mapping.start(),
    stopPolling: () => mapping.stop(),
    async close() {
      await mapping.stop();
      await containers.close();
    },
  };
}

/** The stack's bucket exists already; a bucket it only names (the caller's) is made here. A bad name is the archiver's to refuse. */
async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return;
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    () => false,
  );
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** The local ARN of the alert topic: the stack's own, or one of the same name for a topic the stack only names. */
async function localTopicArn(sns: SNSClient, resources: LocalResources, arn: string | undefined): Promise<string> {
  if (arn !== undefined && [...resources.topics.values()].includes(arn)) return arn;
  const name = arn?.split(":").at(-1);
  if (!arn || !name)
    throw new Error(`the archiver's ALERT_TOPIC_ARN must name an SNS topic (got ${JSON.stringify(arn)})`);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  if (!TopicArn) throw new Error(`the local SNS server created no topic ${name}`);
  return TopicArn;
}
