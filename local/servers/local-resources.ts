import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SynthesizedQueue, SynthesizedStack } from "../pipeline/synthesized-stack.js";
import { createQueue } from "./create-queue.js";

export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** What the local servers now hold, by Terraform resource name. */
export interface LocalResources {
  readonly queues: ReadonlyMap<string, LocalQueue>;
  readonly tables: ReadonlyMap<string, string>;
  /** Bucket names, by Terraform resource name. */
  readonly buckets: ReadonlyMap<string, string>;
  /** Topic ARNs (local), by Terraform resource name. */
  readonly topics: ReadonlyMap<string, string>;
  /**
   * The value of a synthesized `${aws_sqs_queue.<name>.url|arn|name}`,
   * `${aws_dynamodb_table.<name>.name|arn}`, `${aws_s3_bucket.<name>.bucket|arn}` or
   * `${aws_sns_topic.<name>.arn|name}` reference; literal values pass through.
   */
  resolve(value: string): string;
}

/**
 * Creates the stack's queues (dead-letter queues first, so redrive policies can name them) and
 * tables on local servers, with the attributes the synthesized Terraform gives them.
 */
export async function createLocalResources(
  stack: SynthesizedStack,
  clients: { sqs: SQSClient; dynamo: DynamoDBClient; s3?: S3Client; sns?: SNSClient },
): Promise<LocalResources> {
  // Checked before anything is created: a stack made locally in part would fail later, less clearly.
  if ((stack.buckets.length > 0 && !clients.s3) || (stack.topics.length > 0 && !clients.sns)) {
    throw new Error(`stack ${stack.name} has S3 buckets or SNS topics: creating them locally needs S3 and SNS clients`);
  }
  const queues = new Map<string, LocalQueue>();
  const redrives = new Map(
    stack.processors.flatMap((processor) =>
      processor.deadLetterQueue ? [[processor.queue.resourceName, processor] as const] : [],
    ),
  );
  const ordered = [...stack.queues].sort(
    (a, b) => Number(redrives.has(a.resourceName)) - Number(redrives.has(b.resourceName)),
  );
  for (const queue of ordered) {
    const processor = redrives.get(queue.resourceName);
    const deadLetter = processor?.deadLetterQueue && queues.get(processor.deadLetterQueue.resourceName);
    const redrivePolicy =
      processor && deadLetter
        ? {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: deadLetter.arn,
              maxReceiveCount: processor.maxReceiveCount,
            }),
          }
        : {};
    const created = await createQueue(clients.sqs, queue.name, { ...queueAttributes(queue), ...redrivePolicy });
    queues.set(queue.resourceName, { name: queue.name, ...created });
  }

  const tables = new Map<string, string>();
  for (const table of stack.tables) {
    await clients.dynamo.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [
          { AttributeName: table.hashKey, KeyType: "HASH" },
          ...(table.rangeKey ? [{ AttributeName: table.rangeKey, KeyType: "RANGE" as const }] : []),
        ],
        AttributeDefinitions: table.attributes.map((attribute) => ({
          AttributeName: attribute.name,
          AttributeType: attribute.type,
        })),
      }),
    );
    tables.set(table.resourceName, table.name);
  }

  const buckets = new Map<string, string>();
  const topics = new Map<string, string>();
  for (const bucket of stack.buckets) {
    await clients.s3?.send(new CreateBucketCommand({ Bucket: bucket.name }));
    buckets.set(bucket.resourceName, bucket.name);
  }
  for (const topic of stack.topics) {
    const created = await clients.sns?.send(new CreateTopicCommand({ Name: topic.name }));
    if (created?.TopicArn) topics.set(topic.resourceName, created.TopicArn);
  }

  const region = stack.region;
  function resolve(value: string): string {
    // Every interpolation must resolve: one left as is would reach the function as literal text.
    // `$${` and `%%{` are Terraform's escapes for a literal `${` and `%{`; a live `%{` directive has no local meaning.
    return value.replace(/\$\$\{|%%\{|%\{|\$\{([^}]*)\}/g, (reference, expression: string | undefined) => {
      if (expression === undefined) {
        if (reference === "%{")
          throw new Error(
            `${JSON.stringify(value)} holds a Terraform template directive (%{), which can't be run locally`,
          );
        return reference.slice(1);
      }
      const [, type, name = "", attribute] = /^([a-z0-9_]+)\.([^.]+)\.([a-z_]+)$/.exec(expression) ?? [];
      const queue = type === "aws_sqs_queue" ? queues.get(name) : undefined;
      if (queue && (attribute === "url" || attribute === "id")) return queue.url;
      if (queue && attribute === "arn") return queue.arn;
      if (queue && attribute === "name") return queue.name;
      const table = type === "aws_dynamodb_table" ? tables.get(name) : undefined;
      if (table && (attribute === "name" || attribute === "id")) return table;
      if (table && attribute === "arn") return `arn:aws:dynamodb:${region}:000000000000:table/${table}`;
      const bucket = type === "aws_s3_bucket" ? buckets.get(name) : undefined;
      if (bucket && (attribute === "bucket" || attribute === "id")) return bucket;
      if (bucket && attribute === "arn") return `arn:aws:s3:::${bucket}`;
      const topic = type === "aws_sns_topic" ? topics.get(name) : undefined;
      if (topic && (attribute === "arn" || attribute === "id")) return topic;
      if (topic && attribute === "name") return topic.split(":").at(-1) ?? topic;
      throw new Error(
        `${reference} can't be resolved locally: only queue url/arn/name, table name/arn, bucket name/arn and topic arn/name references are supported`,
      );
    });
  }
  return { queues, tables, buckets, topics, resolve };
}

function queueAttributes(queue: SynthesizedQueue): Record<string, string> {
  return {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.messageRetentionSeconds),
    MaximumMessageSize: String(queue.maxMessageSizeBytes),
    DelaySeconds: String(queue.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.receiveWaitTimeSeconds),
    ...(queue.fifo ? { FifoQueue: "true", ContentBasedDeduplication: String(queue.contentBasedDeduplication) } : {}),
  };
}
