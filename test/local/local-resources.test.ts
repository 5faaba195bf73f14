import path from "node:path";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSynthesizedStack, type SynthesizedStack } from "../../local/pipeline/synthesized-stack.js";
import { createLocalResources, type LocalResources } from "../../local/servers/local-resources.js";
import {
  LOCAL_CREDENTIALS,
  type LocalDynamo,
  type LocalSqs,
  startLocalDynamo,
  startLocalSqs,
} from "../../local/servers/local-servers.js";
import { mtimeOf, stackFileOf, synthesize } from "../../local/synth-check.js";

const ROOT = process.cwd();

let sqs: LocalSqs;
let dynamo: LocalDynamo;
let dev: SynthesizedStack;
let devResources: LocalResources;
let fixture: SynthesizedStack;
let fixtureResources: LocalResources;
let s3: S3Client;
let sns: SNSClient;

beforeAll(async () => {
  if (mtimeOf(path.join(ROOT, stackFileOf("dev"))) === undefined) await synthesize(ROOT);
  dev = readSynthesizedStack("cdktf.out", "dev");
  fixture = readSynthesizedStack("test/fixtures/local", "minimal");
  [sqs, dynamo] = await Promise.all([startLocalSqs(), startLocalDynamo()]);
  // fauxqs serves S3 and SNS on the SQS endpoint: the stacks' topics (and, in archive mode, bucket) are made there.
  const local = { endpoint: sqs.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS };
  s3 = new S3Client({ ...local, forcePathStyle: true });
  sns = new SNSClient(local);
  devResources = await createLocalResources(dev, { sqs: sqs.client, dynamo: dynamo.client, s3, sns });
  fixtureResources = await createLocalResources(fixture, { sqs: sqs.client, dynamo: dynamo.client });
});

afterAll(async () => {
  s3?.destroy();
  sns?.destroy();
  await Promise.all([sqs?.stop(), dynamo?.stop()]);
});

describe("createLocalResources: buckets and topics (archive mode)", () => {
  it("creates the stack's bucket and topic, and resolves their references", async () => {
    const archive = readSynthesizedStack("test/fixtures/local", "archive");
    const resources = await createLocalResources(archive, { sqs: sqs.client, dynamo: dynamo.client, s3, sns });
    expect(resources.resolve("${aws_s3_bucket.archive.bucket}")).toBe("orders-archive-dead-letters");
    expect(resources.resolve("${aws_s3_bucket.archive.id}")).toBe("orders-archive-dead-letters");
    expect(resources.resolve("${aws_s3_bucket.archive.arn}")).toBe("arn:aws:s3:::orders-archive-dead-letters");
    const topicArn = resources.resolve("${aws_sns_topic.alarms.arn}");
    expect(topicArn).toMatch(/^arn:aws:sns:[a-z0-9-]+:\d{12}:orders-archive-alarms$/);
    expect(resources.resolve("${aws_sns_topic.alarms.name}")).toBe("orders-archive-alarms");
    await s3.send(new HeadBucketCommand({ Bucket: "orders-archive-dead-letters" }));
    await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(() => resources.resolve("${aws_s3_bucket.other.bucket}")).toThrow(/can't be resolved locally/);
  });

  it("refuses a stack with a bucket or topic when given no S3 or SNS client, instead of leaving it out", async () => {
    const archive = readSynthesizedStack("test/fixtures/local", "archive");
    await expect(createLocalResources(archive, { sqs: sqs.client, dynamo: dynamo.client })).rejects.toThrow(
      /stack archive has S3 buckets or SNS topics: creating them locally needs S3 and SNS clients/,
    );
  });
});

async function attributesOf(queueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await sqs.client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
  );
  return Attributes!;
}

async function urlOf(name: string): Promise<string> {
  return (await sqs.client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
}

const devProcessor = () => dev.processors[0]!;

describe("createLocalResources: the dev stack's queues and table on fauxqs and dynalite", () => {
  it("creates the work queue with the synthesized attributes and a redrive policy naming the DLQ", async () => {
    const processor = devProcessor();
    const queue = devResources.queues.get(processor.queue.resourceName)!;
    const deadLetterQueue = devResources.queues.get(processor.deadLetterQueue!.resourceName)!;

    expect(queue.name).toBe("orders-dev-queue");
    expect(queue.url).toBe(await urlOf("orders-dev-queue"));
    const attributes = await attributesOf(queue.url);
    expect(attributes).toMatchObject({
      QueueArn: queue.arn,
      VisibilityTimeout: "181",
      MessageRetentionPeriod: "86400",
      MaximumMessageSize: "262144",
      DelaySeconds: "0",
      ReceiveMessageWaitTimeSeconds: "20",
    });
    const redrive = JSON.parse(attributes.RedrivePolicy!) as {
      deadLetterTargetArn: string;
      maxReceiveCount: number | string;
    };
    expect(redrive.deadLetterTargetArn).toBe(deadLetterQueue.arn);
    expect(Number(redrive.maxReceiveCount)).toBe(3);
  });

  it("creates the dead-letter queue with its own attributes and no redrive", async () => {
    const deadLetterQueue = devResources.queues.get(devProcessor().deadLetterQueue!.resourceName)!;
    const attributes = await attributesOf(deadLetterQueue.url);

    expect(deadLetterQueue.name).toBe("orders-dev-dlq");
    expect(attributes).toMatchObject({
      QueueArn: deadLetterQueue.arn,
      MessageRetentionPeriod: "1209600",
      VisibilityTimeout: "30",
    });
    expect(attributes.RedrivePolicy).toBeUndefined();
  });

  it("creates the table with its key schema", async () => {
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: "orders-dev" }));

    expect(devResources.tables.get("orders-table")).toBe("orders-dev");
    expect(Table!.TableStatus).toBe("ACTIVE");
    expect(Table!.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(Table!.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ]),
    );
    expect(Table!.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
  });
});

describe("createLocalResources: a hand-written stack (FIFO queues, inline redrive, defaults)", () => {
  it("creates a FIFO queue and its FIFO DLQ with the inline redrive policy's maxReceiveCount", async () => {
    const ordered = fixtureResources.queues.get("ordered")!;
    const deadLetter = fixtureResources.queues.get("ordered-dlq")!;
    const attributes = await attributesOf(ordered.url);

    expect(attributes).toMatchObject({
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      MessageRetentionPeriod: "600",
      DelaySeconds: "2",
      ReceiveMessageWaitTimeSeconds: "5",
      MaximumMessageSize: "2048",
    });
    const redrive = JSON.parse(attributes.RedrivePolicy!) as {
      deadLetterTargetArn: string;
      maxReceiveCount: number | string;
    };
    expect(redrive.deadLetterTargetArn).toBe(deadLetter.arn);
    expect(Number(redrive.maxReceiveCount)).toBe(2);
    expect((await attributesOf(deadLetter.url)).FifoQueue).toBe("true");
  });

  it("gives a queue whose attributes the Terraform omits AWS's defaults", async () => {
    const attributes = await attributesOf(fixtureResources.queues.get("work-dlq")!.url);

    expect(attributes).toMatchObject({
      VisibilityTimeout: "30",
      MessageRetentionPeriod: "345600",
      MaximumMessageSize: "262144",
      DelaySeconds: "0",
      ReceiveMessageWaitTimeSeconds: "0",
    });
    expect(attributes.FifoQueue).toBeUndefined();
  });

  it("creates a hash-key-only table with a number key", async () => {
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: "fixture-ledger" }));

    expect(Table!.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(Table!.AttributeDefinitions).toEqual([{ AttributeName: "id", AttributeType: "N" }]);
  });
});

describe("createLocalResources: resolve()", () => {
  it("maps queue url (and id), arn and name references to the local queue", async () => {
    const { resourceName } = devProcessor().queue;
    const queue = devResources.queues.get(resourceName)!;
    const { QueueArn } = await attributesOf(queue.url);

    expect(devResources.resolve(`\${aws_sqs_queue.${resourceName}.url}`)).toBe(await urlOf("orders-dev-queue"));
    expect(devResources.resolve(`\${aws_sqs_queue.${resourceName}.id}`)).toBe(queue.url);
    expect(devResources.resolve(`\${aws_sqs_queue.${resourceName}.arn}`)).toBe(QueueArn);
    expect(devResources.resolve(`\${aws_sqs_queue.${resourceName}.name}`)).toBe("orders-dev-queue");
  });

  it("maps table name and arn references", async () => {
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: "orders-dev" }));

    expect(devResources.resolve("${aws_dynamodb_table.orders-table.name}")).toBe("orders-dev");
    expect(devResources.resolve("${aws_dynamodb_table.orders-table.arn}")).toBe(
      "arn:aws:dynamodb:us-east-1:000000000000:table/orders-dev",
    );
    expect(devResources.resolve("${aws_dynamodb_table.orders-table.arn}")).toBe(Table!.TableArn);
  });

  it("resolves the synthesized function environment, passing literals through", () => {
    const environment = Object.fromEntries(
      Object.entries(devProcessor().function.environment).map(([name, value]) => [name, devResources.resolve(value)]),
    );

    expect(environment).toMatchObject({
      LOG_LEVEL: "DEBUG",
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: "orders-dev",
      QUEUE_URL: devResources.queues.get(devProcessor().queue.resourceName)!.url,
      DLQ_URL: devResources.queues.get(devProcessor().deadLetterQueue!.resourceName)!.url,
    });
    expect(Object.values(environment).some((value) => value.includes("${"))).toBe(false);
    expect(devResources.resolve("")).toBe("");
    expect(devResources.resolve("plain $ and {braces}")).toBe("plain $ and {braces}");
  });

  it("resolves references inside a longer string", () => {
    expect(fixtureResources.resolve("table=${aws_dynamodb_table.ledger.name};queue=${aws_sqs_queue.work.name}")).toBe(
      "table=fixture-ledger;queue=fixture-work",
    );
  });

  it("throws a clear error for a reference it can't resolve", () => {
    expect(() => devResources.resolve("${aws_lambda_function.order-processor_function_19A85F0C.arn}")).toThrow(
      /\$\{aws_lambda_function\.order-processor_function_19A85F0C\.arn\} can't be resolved locally: only queue url\/arn\/name, table name\/arn, bucket name\/arn and topic arn\/name references are supported/,
    );
    expect(() => devResources.resolve("${aws_sqs_queue.no-such-queue.url}")).toThrow(
      /\$\{aws_sqs_queue\.no-such-queue\.url\} can't be resolved locally/,
    );
    expect(() => devResources.resolve("${aws_dynamodb_table.orders-table.stream_arn}")).toThrow(
      /can't be resolved locally/,
    );
    expect(() => devResources.resolve("prefix-${aws_iam_role.role.arn}")).toThrow(
      /\$\{aws_iam_role\.role\.arn\} can't be resolved locally/,
    );
  });

  it("throws for a data source, variable or expression reference instead of passing it to the function unresolved", () => {
    expect(() => devResources.resolve("${data.aws_region.current.name}")).toThrow(
      /\$\{data\.aws_region\.current\.name\} can't be resolved locally/,
    );
    expect(() => devResources.resolve("${data.aws_caller_identity.current.account_id}")).toThrow(
      /can't be resolved locally/,
    );
    expect(() => devResources.resolve("${var.stage}")).toThrow(/\$\{var\.stage\} can't be resolved locally/);
    expect(() => devResources.resolve('${upper("dev")}')).toThrow(/can't be resolved locally/);
  });

  it("reads Terraform's $${ escape as a literal ${", () => {
    expect(devResources.resolve("$${data.aws_region.current.name}")).toBe("${data.aws_region.current.name}");
    expect(fixtureResources.resolve("$${x} ${aws_sqs_queue.work.name}")).toBe("${x} fixture-work");
  });

  it("reads Terraform's %%{ escape as a literal %{ and refuses a live %{ directive", () => {
    expect(devResources.resolve("%%{ if x }")).toBe("%{ if x }");
    expect(devResources.resolve("100% %%{x} $${y}")).toBe("100% %{x} ${y}");
    expect(() => devResources.resolve("%{ if true }x%{ endif }")).toThrow(/template directive \(%\{\)/);
    expect(() => devResources.resolve("a%{for x in y}")).toThrow(/template directive/);
  });
});
