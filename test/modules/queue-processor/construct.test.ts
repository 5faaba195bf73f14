import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { BundleError } from "../../../functions/runtime/bundle/bundle.js";
import { QueueProcessorConfigError } from "../../../modules/index.js";
import type { DerivedValue } from "../../../modules/queue-processor/resolve.js";
import { PLACEHOLDER_ENTRY, type Statement, synthProcessor } from "../../support/synth.js";

const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:platform-alarms";

function queues(synth: ReturnType<typeof synthProcessor>["synth"]) {
  const all = Object.values(synth.resources("aws_sqs_queue"));
  const work = all.find((queue) => String(queue.name).includes("-queue"))!;
  const deadLetter = all.find((queue) => String(queue.name).includes("-dlq"))!;
  return {
    work,
    deadLetter,
    refs: { work: synth.ref("aws_sqs_queue", work, "arn"), deadLetter: synth.ref("aws_sqs_queue", deadLetter, "arn") },
  };
}

function roleStatements(synth: ReturnType<typeof synthProcessor>["synth"]): Statement[] {
  return synth.statements(synth.only("aws_iam_role_policy").policy);
}

describe("QueueProcessor", () => {
  describe("queues", () => {
    it("creates a standard work queue and dead-letter queue, both SSE-encrypted, with long polling and an explicit message size", () => {
      const { synth } = synthProcessor();
      const { work, deadLetter } = queues(synth);
      expect(work).toMatchObject({
        name: "orders-test-queue",
        sqs_managed_sse_enabled: true,
        receive_wait_time_seconds: 20,
        max_message_size: 262_144,
        message_retention_seconds: 345_600,
        delay_seconds: 0,
      });
      expect(deadLetter).toMatchObject({
        name: "orders-test-dlq",
        sqs_managed_sse_enabled: true,
        max_message_size: 262_144,
        message_retention_seconds: 1_209_600,
      });
      expect(work.fifo_queue).toBeUndefined();
      expect(deadLetter.fifo_queue).toBeUndefined();
    });

    it("derives the visibility timeout as 6 x function timeout + batching window", () => {
      const { synth } = synthProcessor({
        handler: { entry: PLACEHOLDER_ENTRY, timeoutSeconds: 50 },
        eventSource: { maxBatchingWindowSeconds: 5 },
      });
      expect(queues(synth).work.visibility_timeout_seconds).toBe(305);
    });

    it("wires redrive as a separate resource, so neither queue's definition names the other", () => {
      const { synth } = synthProcessor({ queue: { maxReceiveCount: 7 } });
      const { work, deadLetter, refs } = queues(synth);
      expect(work.redrive_policy).toBeUndefined();
      expect(deadLetter.redrive_allow_policy).toBeUndefined();
      const redrive = synth.only("aws_sqs_queue_redrive_policy");
      expect(redrive.queue_url).toBe(synth.ref("aws_sqs_queue", work, "url"));
      expect(JSON.parse(redrive.redrive_policy)).toEqual({ deadLetterTargetArn: refs.deadLetter, maxReceiveCount: 7 });
    });

    it("lets only the work queue redrive into the dead-letter queue", () => {
      const { synth } = synthProcessor();
      const { deadLetter, refs } = queues(synth);
      const allow = synth.only("aws_sqs_queue_redrive_allow_policy");
      expect(allow.queue_url).toBe(synth.ref("aws_sqs_queue", deadLetter, "url"));
      expect(JSON.parse(allow.redrive_allow_policy)).toEqual({
        redrivePermission: "byQueue",
        sourceQueueArns: [refs.work],
      });
    });

    it("denies every request to either queue that is not made over TLS", () => {
      const { synth } = synthProcessor();
      const { refs } = queues(synth);
      const policies = Object.values(synth.resources("aws_sqs_queue_policy"));
      expect(policies).toHaveLength(2);
      const denied = policies.map((policy) => {
        const [statement] = synth.statements(policy.policy);
        expect(statement).toMatchObject({
          effect: "Deny",
          actions: ["sqs:*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        });
        return statement!.resources[0];
      });
      expect(denied.sort()).toEqual([refs.deadLetter, refs.work].sort());
    });

    it("makes a FIFO dead-letter queue for a FIFO work queue, in high-throughput mode", () => {
      const { synth } = synthProcessor({ queue: { fifo: true } });
      const { work, deadLetter } = queues(synth);
      expect(work).toMatchObject({
        name: "orders-test-queue.fifo",
        fifo_queue: true,
        content_based_deduplication: false,
        deduplication_scope: "messageGroup",
        fifo_throughput_limit: "perMessageGroupId",
      });
      expect(deadLetter).toMatchObject({ name: "orders-test-dlq.fifo", fifo_queue: true });
    });

    it("encrypts both queues with a given KMS key and lets the function use exactly that key", () => {
      const { synth } = synthProcessor({ queue: { kmsKeyArn: KMS_KEY } });
      for (const queue of Object.values(synth.resources("aws_sqs_queue"))) {
        expect(queue.kms_master_key_id).toBe(KMS_KEY);
        expect(queue.sqs_managed_sse_enabled).toBeUndefined();
      }
      expect(roleStatements(synth).find((s) => s.sid === "UseQueueKey")).toMatchObject({
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [KMS_KEY],
      });
    });

    it("keeps a dead-letter retention of at least the work queue's", () => {
      const { synth } = synthProcessor({ queue: { retentionSeconds: 1_209_600 } });
      const { work, deadLetter } = queues(synth);
      expect(deadLetter.message_retention_seconds).toBeGreaterThanOrEqual(work.message_retention_seconds);
    });
  });

  describe("function", () => {
    it("runs the bundled code on nodejs22.x, arm64, with X-Ray tracing and the given sizes", () => {
      const { synth } = synthProcessor({
        handler: { entry: PLACEHOLDER_ENTRY, timeoutSeconds: 40, memorySizeMb: 1024, reservedConcurrency: 5 },
      });
      expect(synth.only("aws_lambda_function")).toMatchObject({
        function_name: "orders-test-processor",
        runtime: "nodejs22.x",
        handler: "index.handler",
        architectures: ["arm64"],
        timeout: 40,
        memory_size: 1024,
        reserved_concurrent_executions: 5,
        tracing_config: { mode: "Active" },
      });
    });

    it("leaves concurrency unreserved unless asked", () => {
      const { synth } = synthProcessor();
      expect(synth.only("aws_lambda_function").reserved_concurrent_executions).toBeUndefined();
    });

    it("ships a zip inside the stack directory whose SHA-256 is the source_code_hash", () => {
      const { synth } = synthProcessor();
      const fn = synth.only("aws_lambda_function");
      const zip = path.join(synth.stackDir, fn.filename);
      expect(existsSync(zip)).toBe(true);
      expect(path.isAbsolute(fn.filename)).toBe(false);
      expect(createHash("sha256").update(readFileSync(zip)).digest("base64")).toBe(fn.source_code_hash);
    });

    it("leaves the AWS SDK to the Lambda runtime by default, and bundles it when asked", () => {
      const codeOf = (synth: ReturnType<typeof synthProcessor>["synth"]) =>
        Buffer.from(
          unzipSync(readFileSync(path.join(synth.stackDir, synth.only("aws_lambda_function").filename)))["index.js"]!,
        ).toString("utf8");
      const lean = codeOf(synthProcessor().synth);
      expect(lean).toContain('require("@aws-sdk/client-sqs")');
      expect(lean.length).toBeLessThan(100_000);
      const pinned = codeOf(synthProcessor({ handler: { entry: PLACEHOLDER_ENTRY, bundleAwsSdk: true } }).synth);
      expect(pinned).not.toContain('require("@aws-sdk/client-sqs")');
      expect(pinned.length).toBeGreaterThan(300_000);
    });

    it("passes the queue URLs and the caller's variables to the function", () => {
      const { synth } = synthProcessor({
        handler: { entry: PLACEHOLDER_ENTRY, environment: { LOG_LEVEL: "INFO" } },
      });
      const { work, deadLetter } = queues(synth);
      expect(synth.only("aws_lambda_function").environment.variables).toEqual({
        LOG_LEVEL: "INFO",
        QUEUE_URL: synth.ref("aws_sqs_queue", work, "url"),
        DLQ_URL: synth.ref("aws_sqs_queue", deadLetter, "url"),
        NODE_OPTIONS: "--enable-source-maps",
      });
    });

    it("creates its log group with a retention before the function, and logs into it", () => {
      const { synth } = synthProcessor({ handler: { entry: PLACEHOLDER_ENTRY, logRetentionDays: 14 } });
      const logGroup = synth.only("aws_cloudwatch_log_group");
      expect(logGroup).toMatchObject({ name: "/aws/lambda/orders-test-processor", retention_in_days: 14 });
      const fn = synth.only("aws_lambda_function");
      const logGroupId = Object.keys(synth.resources("aws_cloudwatch_log_group"))[0];
      expect(fn.depends_on).toContain(`aws_cloudwatch_log_group.${logGroupId}`);
      expect(fn.logging_config.log_group).toBe(synth.ref("aws_cloudwatch_log_group", logGroup, "name"));
    });

    it("waits for its role's policy, so active tracing can write to X-Ray from the first invocation", () => {
      const { synth } = synthProcessor();
      const policyId = Object.keys(synth.resources("aws_iam_role_policy"))[0];
      expect(synth.only("aws_lambda_function").depends_on).toContain(`aws_iam_role_policy.${policyId}`);
    });

    it("fails the synth with the path when the entry file does not exist", () => {
      expect(() => synthProcessor({ handler: { entry: "functions/nope/handler.ts" } })).toThrow(BundleError);
      expect(() => synthProcessor({ handler: { entry: "functions/nope/handler.ts" } })).toThrow(
        /handler\.entry: no such file "functions\/nope\/handler\.ts"/,
      );
    });
  });

  describe("role", () => {
    it("can be assumed by Lambda only", () => {
      const { synth } = synthProcessor();
      const trust = synth.statements(synth.only("aws_iam_role").assume_role_policy);
      expect(trust).toEqual([
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
        },
      ]);
    });

    it("grants exactly the pipeline's actions, each on its own resource", () => {
      const { synth } = synthProcessor();
      const { refs } = queues(synth);
      const logGroup = synth.ref("aws_cloudwatch_log_group", synth.only("aws_cloudwatch_log_group"), "arn");
      expect(roleStatements(synth)).toEqual([
        {
          sid: "ConsumeWorkQueue",
          effect: "Allow",
          actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
          resources: [refs.work],
        },
        {
          sid: "SendPoisonToDeadLetterQueue",
          effect: "Allow",
          actions: ["sqs:SendMessage"],
          resources: [refs.deadLetter],
        },
        {
          sid: "WriteOwnLogs",
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${logGroup}:log-stream:*`],
        },
        {
          sid: "WriteTraces",
          effect: "Allow",
          actions: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
          resources: ["*"],
        },
      ]);
    });

    it("has no wildcard action, and no '*' resource but for X-Ray's actions that support no other", () => {
      const { synth } = synthProcessor({ queue: { kmsKeyArn: KMS_KEY } });
      for (const statement of roleStatements(synth)) {
        for (const action of statement.actions) expect(action).not.toContain("*");
        if (statement.resources.includes("*")) {
          expect(statement.actions.every((action) => action.startsWith("xray:"))).toBe(true);
        }
      }
    });

    it("adds the caller's statements to the same policy", () => {
      const { synth } = synthProcessor({}, (processor) =>
        processor.addToRolePolicy({
          sid: "WriteOrders",
          actions: ["dynamodb:PutItem"],
          resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
        }),
      );
      expect(roleStatements(synth).at(-1)).toEqual({
        sid: "WriteOrders",
        effect: "Allow",
        actions: ["dynamodb:PutItem"],
        resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
      });
    });

    it("refuses a caller statement with a wildcard action or a '*' resource", () => {
      let caught: unknown;
      synthProcessor({}, (processor) => {
        try {
          processor.addToRolePolicy({ sid: "TooMuch", actions: ["dynamodb:*"], resources: ["*"] });
        } catch (error) {
          caught = error;
        }
      });
      expect(caught).toBeInstanceOf(QueueProcessorConfigError);
      expect((caught as QueueProcessorConfigError).codes).toEqual([
        "policy-action-wildcard",
        "policy-resource-wildcard",
      ]);
      expect((caught as QueueProcessorConfigError).message).toContain(
        'addToRolePolicy: actions must be exact "service:Action" names; "*" and "?" are wildcards, allowed only with a DeliberateWildcard... sid and a wildcardReason (got "dynamodb:*")',
      );
    });

    it("refuses a statement id already used in the policy", () => {
      expect(() =>
        synthProcessor({}, (processor) =>
          processor.addToRolePolicy({
            sid: "ConsumeWorkQueue",
            actions: ["sqs:SendMessage"],
            resources: ["arn:aws:sqs:us-east-1:123456789012:x"],
          }),
        ),
      ).toThrow('addToRolePolicy: sid "ConsumeWorkQueue" is already used in this role\'s policy');
    });
  });

  describe("event source mapping", () => {
    it("polls the work queue with the given batching, concurrency and filters, partial batch responses on", () => {
      const { synth } = synthProcessor({
        eventSource: {
          batchSize: 25,
          maxBatchingWindowSeconds: 5,
          maxConcurrency: 20,
          filterPatterns: [{ body: { type: ["order_created", "order_updated"] } }],
        },
      });
      const { refs } = queues(synth);
      expect(synth.only("aws_lambda_event_source_mapping")).toMatchObject({
        event_source_arn: refs.work,
        function_name: synth.ref("aws_lambda_function", synth.only("aws_lambda_function"), "arn"),
        batch_size: 25,
        maximum_batching_window_in_seconds: 5,
        scaling_config: { maximum_concurrency: 20 },
        function_response_types: ["ReportBatchItemFailures"],
        filter_criteria: { filter: [{ pattern: '{"body":{"type":["order_created","order_updated"]}}' }] },
        enabled: true,
      });
    });

    it("waits for the role's policy and the redrive before polling", () => {
      const { synth } = synthProcessor();
      const policyId = Object.keys(synth.resources("aws_iam_role_policy"))[0];
      const redriveId = Object.keys(synth.resources("aws_sqs_queue_redrive_policy"))[0];
      expect(synth.only("aws_lambda_event_source_mapping").depends_on).toEqual([
        `aws_iam_role_policy.${policyId}`,
        `aws_sqs_queue_redrive_policy.${redriveId}`,
      ]);
    });

    it("sets no scaling or filter blocks when none are asked for", () => {
      const mapping = synthProcessor().synth.only("aws_lambda_event_source_mapping");
      expect(mapping.scaling_config).toBeUndefined();
      expect(mapping.filter_criteria).toBeUndefined();
      expect(mapping.batch_size).toBe(10);
      expect(mapping.maximum_batching_window_in_seconds).toBe(0);
    });

    it("sends no batching window for a FIFO queue", () => {
      const mapping = synthProcessor({ queue: { fifo: true } }).synth.only("aws_lambda_event_source_mapping");
      expect(mapping.maximum_batching_window_in_seconds).toBeUndefined();
      expect(mapping.function_response_types).toEqual(["ReportBatchItemFailures"]);
    });
  });

  describe("alarms", () => {
    function alarmsByName(synth: ReturnType<typeof synthProcessor>["synth"]): Record<string, Record<string, unknown>> {
      return Object.fromEntries(
        Object.values(synth.resources("aws_cloudwatch_metric_alarm")).map((alarm) => [alarm.alarm_name, alarm]),
      );
    }

    it("creates the five alarms with computed defaults, notifying a new topic on ALARM and OK", () => {
      const { synth } = synthProcessor({
        queue: { maxReceiveCount: 4 },
        eventSource: { batchSize: 10, maxConcurrency: 20 },
      });
      const topic = synth.only("aws_sns_topic");
      expect(topic.name).toBe("orders-test-alarms");
      const topicRef = synth.ref("aws_sns_topic", topic, "arn");
      const alarms = alarmsByName(synth);
      expect(Object.keys(alarms).sort()).toEqual([
        "orders-test-dlq-not-empty",
        "orders-test-oldest-message-age",
        "orders-test-processor-errors",
        "orders-test-processor-throttles",
        "orders-test-queue-depth",
      ]);
      expect(alarms["orders-test-queue-depth"]).toMatchObject({
        namespace: "AWS/SQS",
        metric_name: "ApproximateNumberOfMessagesVisible",
        statistic: "Average",
        threshold: 400,
        period: 300,
        evaluation_periods: 2,
      });
      expect(alarms["orders-test-dlq-not-empty"]).toMatchObject({
        metric_name: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        threshold: 0,
        period: 60,
        evaluation_periods: 1,
      });
      expect(alarms["orders-test-oldest-message-age"]).toMatchObject({
        metric_name: "ApproximateAgeOfOldestMessage",
        statistic: "Maximum",
        threshold: 4 * 180,
      });
      expect(alarms["orders-test-processor-errors"]).toMatchObject({
        namespace: "AWS/Lambda",
        metric_name: "Errors",
        threshold: 10,
      });
      expect(alarms["orders-test-processor-throttles"]).toMatchObject({
        namespace: "AWS/Lambda",
        metric_name: "Throttles",
        threshold: 0,
      });
      for (const alarm of Object.values(alarms)) {
        expect(alarm.alarm_actions).toEqual([topicRef]);
        expect(alarm.ok_actions).toEqual([topicRef]);
        expect(alarm.treat_missing_data).toBe("notBreaching");
        expect(alarm.alarm_description).toMatch(/^[A-Z].+\.$/);
      }
    });

    it("watches the dead-letter queue for the DLQ alarm and the work queue for the others", () => {
      const { synth } = synthProcessor();
      const { work, deadLetter } = queues(synth);
      const alarms = alarmsByName(synth);
      expect(alarms["orders-test-dlq-not-empty"]!.dimensions).toEqual({
        QueueName: synth.ref("aws_sqs_queue", deadLetter, "name"),
      });
      expect(alarms["orders-test-queue-depth"]!.dimensions).toEqual({
        QueueName: synth.ref("aws_sqs_queue", work, "name"),
      });
    });

    it("caps the oldest-message default at half the retention", () => {
      const { synth } = synthProcessor({
        handler: { entry: PLACEHOLDER_ENTRY, timeoutSeconds: 600 },
        queue: { retentionSeconds: 3600, maxReceiveCount: 5 },
      });
      expect(alarmsByName(synth)["orders-test-oldest-message-age"]!.threshold).toBe(1800);
    });

    it("uses 1,000 as the queue-depth default without a maximum concurrency", () => {
      expect(alarmsByName(synthProcessor().synth)["orders-test-queue-depth"]!.threshold).toBe(1000);
    });

    it("switches one alarm off and tunes another", () => {
      const { synth } = synthProcessor({
        alarms: { functionThrottles: false, functionErrors: { threshold: 3, periodSeconds: 60, evaluationPeriods: 5 } },
      });
      const alarms = alarmsByName(synth);
      expect(alarms["orders-test-processor-throttles"]).toBeUndefined();
      expect(alarms["orders-test-processor-errors"]).toMatchObject({ threshold: 3, period: 60, evaluation_periods: 5 });
      expect(Object.keys(alarms)).toHaveLength(4);
    });

    it("notifies a given topic and creates none", () => {
      const { synth, processor } = synthProcessor({ alarms: { topicArn: TOPIC } });
      expect(synth.resources("aws_sns_topic")).toEqual({});
      expect(processor.alarmTopicArn).toBe(TOPIC);
      for (const alarm of Object.values(synth.resources("aws_cloudwatch_metric_alarm"))) {
        expect(alarm.alarm_actions).toEqual([TOPIC]);
        expect(alarm.ok_actions).toEqual([TOPIC]);
      }
    });

    it("creates no alarms and no topic when alarms are off", () => {
      const { synth, processor } = synthProcessor({ alarms: false });
      expect(synth.resources("aws_cloudwatch_metric_alarm")).toEqual({});
      expect(synth.resources("aws_sns_topic")).toEqual({});
      expect(processor.alarmTopicArn).toBeUndefined();
    });
  });

  describe("configuration", () => {
    it("fails at construction, before any synth, naming the property and the value", () => {
      expect(() => synthProcessor({ queue: { fifo: true }, eventSource: { batchSize: 20 } })).toThrow(
        "eventSource.batchSize must be a whole number between 1 and 10 for FIFO queues (got 20)",
      );
    });

    it("records AWS advice the configuration ignores as synth warnings", () => {
      const { processor } = synthProcessor({ queue: { maxReceiveCount: 3 } });
      const warnings = processor.node.metadata
        .filter((entry) => entry.type === "@cdktf/warn")
        .map((entry) => entry.data);
      expect(warnings).toEqual([
        expect.stringMatching(/^\[max-receive-count-below-advice\] queue\.maxReceiveCount is below/),
      ]);
    });

    it("exposes the resolved configuration and every resource a caller wires to", () => {
      const { processor } = synthProcessor();
      expect(processor.config.queue.visibilityTimeoutSeconds).toBe(180);
      for (const part of [
        processor.queue,
        processor.deadLetterQueue,
        processor.function,
        processor.role,
        processor.logGroup,
        processor.eventSourceMapping,
        processor.alarmTopic,
      ]) {
        expect(part).toBeDefined();
      }
      expect(Object.keys(processor.alarms)).toHaveLength(5);
    });

    it("records the values it derived, with their rules, in the stack's comment block for reviews", () => {
      const { synth } = synthProcessor({
        handler: { entry: PLACEHOLDER_ENTRY, timeoutSeconds: 40 },
        alarms: { queueDepth: { threshold: 7 } },
      });
      const comments = (
        synth.json as {
          "//": { queue_processors: Record<string, { derived: Record<string, DerivedValue | undefined> }> };
        }
      )["//"];
      const derived = comments.queue_processors["orders-test"]!.derived;
      expect(derived["queue.visibilityTimeoutSeconds"]).toEqual({
        value: 240,
        rule: "6 x handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds",
      });
      expect(derived["alarms.oldestMessageAge.threshold"]?.value).toBe(5 * 240);
      expect(derived["alarms.queueDepth.threshold"]).toBeUndefined();
    });

    it("tags every resource it creates with the given tags", () => {
      const { synth } = synthProcessor({ tags: { team: "orders" } });
      for (const type of [
        "aws_sqs_queue",
        "aws_lambda_function",
        "aws_iam_role",
        "aws_cloudwatch_log_group",
        "aws_sns_topic",
        "aws_cloudwatch_metric_alarm",
      ]) {
        for (const resource of Object.values(synth.resources(type))) expect(resource.tags).toEqual({ team: "orders" });
      }
    });
  });
});
