import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../config/environments.js";
import {
  readSynthesizedStack,
  type SynthesizedProcessor,
  type SynthesizedStack,
} from "../../local/pipeline/synthesized-stack.js";
import { mtimeOf, stackFileOf, synthesize } from "../../local/synth-check.js";
import { tempDir } from "../support/temp-dirs.js";

const ROOT = process.cwd();
const FIXTURES = path.resolve("test/fixtures/local");

function environment(name: string) {
  const found = ENVIRONMENTS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no environment ${name} in config/environments.ts`);
  return found;
}

function onlyProcessor(stack: SynthesizedStack): SynthesizedProcessor {
  expect(stack.processors).toHaveLength(1);
  return stack.processors[0]!;
}

/** `${type.name.attr}` references, as the synthesized Terraform writes them. */
const ref = (type: string, name: string, attribute: string) => `\${${type}.${name}.${attribute}}`;

beforeAll(async () => {
  // Synthesize only when a stack is missing: a synth rewrites cdktf.out, which other runs read.
  if (["dev", "prod"].some((name) => mtimeOf(path.join(ROOT, stackFileOf(name))) === undefined)) await synthesize(ROOT);
});

describe("readSynthesizedStack: the synthesized dev stack", () => {
  it("reads the processor's queues, mapping settings and function as deployed", () => {
    const stack = readSynthesizedStack("cdktf.out", "dev");
    const processor = onlyProcessor(stack);

    expect(stack.name).toBe("dev");
    expect(stack.region).toBe("us-east-1");
    expect(processor.queue).toMatchObject({
      name: "orders-dev-queue",
      fifo: false,
      visibilityTimeoutSeconds: 181,
      messageRetentionSeconds: 86_400,
      receiveWaitTimeSeconds: 20,
    });
    expect(processor.deadLetterQueue).toMatchObject({
      name: "orders-dev-dlq",
      fifo: false,
      messageRetentionSeconds: 1_209_600,
    });
    expect(processor.maxReceiveCount).toBe(3);
    expect(processor.batchSize).toBe(10);
    expect(processor.maxBatchingWindowSeconds).toBe(1);
    expect(processor.maxConcurrency).toBe(2);
    expect(processor.filterPatterns).toEqual([{ body: { type: ["order_created", "order_updated"] } }]);
    expect(processor.reportBatchItemFailures).toBe(true);
  });

  it("reads the function: timeout, package path and environment with its references", () => {
    const stack = readSynthesizedStack("cdktf.out", "dev");
    const { function: fn, queue, deadLetterQueue } = onlyProcessor(stack);
    const table = stack.tables[0]!;

    expect(fn).toMatchObject({
      name: "orders-dev-processor",
      handler: "index.handler",
      runtime: "nodejs22.x",
      timeoutSeconds: 30,
      memorySizeMb: 256,
    });
    expect(path.isAbsolute(fn.zipPath)).toBe(true);
    expect(fn.zipPath.startsWith(path.resolve("cdktf.out/stacks/dev"))).toBe(true);
    expect(existsSync(fn.zipPath)).toBe(true);
    expect(fn.environment).toMatchObject({
      LOG_LEVEL: "DEBUG",
      QUEUE_URL: ref("aws_sqs_queue", queue.resourceName, "url"),
      DLQ_URL: ref("aws_sqs_queue", deadLetterQueue!.resourceName, "url"),
      TABLE_NAME: ref("aws_dynamodb_table", table.resourceName, "name"),
    });
  });

  it("reads the queues and the table", () => {
    const stack = readSynthesizedStack("cdktf.out", "dev");

    expect(stack.queues.map((queue) => queue.name).sort()).toEqual(["orders-dev-dlq", "orders-dev-queue"]);
    expect(stack.tables).toEqual([
      {
        resourceName: "orders-table",
        name: "orders-dev",
        hashKey: "pk",
        rangeKey: "sk",
        attributes: [
          { name: "pk", type: "S" },
          { name: "sk", type: "S" },
        ],
      },
    ]);
  });
});

describe("readSynthesizedStack: the synthesized prod stack", () => {
  it("carries config/environments.ts's prod values", () => {
    const prod = environment("prod").processor;
    const stack = readSynthesizedStack("cdktf.out", "prod");
    // prod archives its dead letters: the archiver's mapping (from the DLQ) is a second processor.
    const processor = stack.processors.find((found) => found.function.name === "orders-prod-processor")!;

    expect(stack.region).toBe(environment("prod").region);
    expect(processor.queue).toMatchObject({
      name: "orders-prod-queue",
      visibilityTimeoutSeconds: prod.queue!.visibilityTimeoutSeconds,
      messageRetentionSeconds: prod.queue!.retentionSeconds,
    });
    expect(processor.deadLetterQueue!.name).toBe("orders-prod-dlq");
    expect(processor.maxReceiveCount).toBe(prod.queue!.maxReceiveCount);
    expect(processor.batchSize).toBe(prod.eventSource!.batchSize);
    expect(processor.maxBatchingWindowSeconds).toBe(prod.eventSource!.maxBatchingWindowSeconds);
    expect(processor.maxConcurrency).toBe(prod.eventSource!.maxConcurrency);
    expect(processor.filterPatterns).toEqual(prod.eventSource!.filterPatterns);
    expect(processor.reportBatchItemFailures).toBe(true);
    expect(processor.function).toMatchObject({
      name: "orders-prod-processor",
      timeoutSeconds: prod.handler.timeoutSeconds,
      memorySizeMb: prod.handler.memorySizeMb,
    });
    expect(processor.function.environment.LOG_LEVEL).toBe(prod.handler.environment!.LOG_LEVEL);
    expect(existsSync(processor.function.zipPath)).toBe(true);
    expect(stack.tables.map((table) => table.name)).toEqual(["orders-prod"]);
  });
});

describe("readSynthesizedStack: a hand-written stack (test/fixtures/local/stacks/minimal)", () => {
  const stack = () => readSynthesizedStack(FIXTURES, "minimal");
  const processor = (name: string) => stack().processors.find((candidate) => candidate.resourceName === name)!;

  it("reads the provider's region and only the SQS mappings (not a DynamoDB stream's)", () => {
    expect(stack().region).toBe("eu-west-1");
    expect(
      stack()
        .processors.map((candidate) => candidate.resourceName)
        .sort(),
    ).toEqual(["ordered-mapping", "work-mapping"]);
  });

  it("takes the dead-letter queue and maxReceiveCount from an inline redrive_policy", () => {
    expect(processor("work-mapping").deadLetterQueue?.resourceName).toBe("work-dlq");
    expect(processor("work-mapping").maxReceiveCount).toBe(5);
    expect(processor("ordered-mapping").deadLetterQueue?.resourceName).toBe("ordered-dlq");
    expect(processor("ordered-mapping").maxReceiveCount).toBe(2);
  });

  it("reads a FIFO queue's attributes as written", () => {
    expect(processor("ordered-mapping").queue).toEqual({
      resourceName: "ordered",
      name: "fixture-ordered.fifo",
      fifo: true,
      contentBasedDeduplication: true,
      visibilityTimeoutSeconds: 30,
      messageRetentionSeconds: 600,
      maxMessageSizeBytes: 2048,
      delaySeconds: 2,
      receiveWaitTimeSeconds: 5,
    });
    expect(processor("ordered-mapping").deadLetterQueue).toMatchObject({
      name: "fixture-ordered-dlq.fifo",
      fifo: true,
    });
  });

  it("gives omitted queue attributes AWS's defaults", () => {
    expect(stack().queues.find((queue) => queue.resourceName === "work-dlq")).toEqual({
      resourceName: "work-dlq",
      name: "fixture-work-dlq",
      fifo: false,
      contentBasedDeduplication: false,
      visibilityTimeoutSeconds: 30,
      messageRetentionSeconds: 345_600,
      maxMessageSizeBytes: 262_144,
      delaySeconds: 0,
      receiveWaitTimeSeconds: 0,
    });
  });

  it("reads a mapping without scaling_config, filters or response types with Lambda's defaults", () => {
    const work = processor("work-mapping");

    expect(work.maxConcurrency).toBeUndefined();
    expect("maxConcurrency" in work).toBe(false);
    expect(work.batchSize).toBe(5);
    expect(work.maxBatchingWindowSeconds).toBe(0);
    expect(work.filterPatterns).toEqual([]);
    expect(work.reportBatchItemFailures).toBe(false);

    const ordered = processor("ordered-mapping");
    expect(ordered.batchSize).toBe(10);
    expect(ordered.maxConcurrency).toBe(4);
    expect(ordered.reportBatchItemFailures).toBe(true);
    expect(ordered.filterPatterns).toEqual([{ body: { kind: ["a"] } }, { body: { kind: ["b"] } }]);
  });

  it("reads the function with Lambda's defaults for what is omitted, its package path relative to the stack", () => {
    expect(processor("ordered-mapping").function).toEqual({
      resourceName: "worker",
      name: "fixture-worker",
      handler: "index.handler",
      runtime: "nodejs22.x",
      timeoutSeconds: 3,
      memorySizeMb: 128,
      zipPath: path.join(FIXTURES, "stacks", "minimal", "assets", "worker.zip"),
      environment: { LEDGER: "${aws_dynamodb_table.ledger.name}", MODE: "fixture" },
    });
    expect(stack().tables).toEqual([
      { resourceName: "ledger", name: "fixture-ledger", hashKey: "id", attributes: [{ name: "id", type: "N" }] },
    ]);
  });
});

describe("readSynthesizedStack: errors", () => {
  it("names the missing file and says to run npm run synth", () => {
    const outdir = tempDir("no-synth");
    const expected = path.join(outdir, "stacks", "qa", "cdk.tf.json");

    expect(() => readSynthesizedStack(outdir, "qa")).toThrow(expected);
    expect(() => readSynthesizedStack(outdir, "qa")).toThrow(/"qa".*run `npm run synth` first/);
  });

  it("rejects a mapping whose function_name references no function of the stack", () => {
    expect(() => readSynthesizedStack(FIXTURES, "dangling-function")).toThrow(
      /event source mapping orphan-mapping: function_name "\$\{aws_lambda_function\.gone\.arn\}" names no aws_lambda_function of the stack/,
    );
  });

  it("rejects a mapping whose function_name is a literal name, not a reference", () => {
    const outdir = tempDir("literal-function");
    mkdirSync(path.join(outdir, "stacks", "literal"), { recursive: true });
    writeFileSync(
      path.join(outdir, "stacks", "literal", "cdk.tf.json"),
      JSON.stringify({
        resource: {
          aws_sqs_queue: { work: { name: "literal-work" } },
          aws_lambda_event_source_mapping: {
            mapping: { event_source_arn: "${aws_sqs_queue.work.arn}", function_name: "someone-elses-function" },
          },
        },
      }),
    );

    expect(() => readSynthesizedStack(outdir, "literal")).toThrow(
      /function_name "someone-elses-function" names no aws_lambda_function/,
    );
  });
});
