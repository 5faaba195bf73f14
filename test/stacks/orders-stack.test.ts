import { readFileSync } from "node:fs";
import path from "node:path";
import { AWS_PROVIDER_VERSION_RANGE } from "@queue-processor/construct";
import { App } from "cdktf";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS, environments } from "../../config/environments.js";
import { type OrdersEnvironment, OrdersStack } from "../../stacks/orders-stack.js";
import { SynthesizedStack, type TerraformJson } from "../support/synth.js";
import { tempDir } from "../support/temp-dirs.js";

function synthEnvironments(environments: readonly OrdersEnvironment[]): Record<string, SynthesizedStack> {
  const outdir = tempDir("orders");
  const app = new App({ outdir, stackTraces: false });
  for (const environment of environments) new OrdersStack(app, environment);
  app.synth();
  return Object.fromEntries(
    environments.map((environment) => {
      const stackDir = path.join(outdir, "stacks", environment.name);
      const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as TerraformJson;
      return [environment.name, new SynthesizedStack(json, outdir, stackDir)];
    }),
  );
}

const stacks = synthEnvironments(ENVIRONMENTS);
const prod = stacks.prod!;
const environment = (name: string) => ENVIRONMENTS.find((env) => env.name === name)!;

function alarm(stack: SynthesizedStack, suffix: string) {
  return Object.values(stack.resources("aws_cloudwatch_metric_alarm")).find((a) =>
    String(a.alarm_name).endsWith(suffix),
  )!;
}

// prod also has the archiver's function, role, policy, mapping and the DLQ's redrive: these pick the processor's.
function processorFunction(stack: SynthesizedStack) {
  return Object.values(stack.resources("aws_lambda_function")).find((f) =>
    String(f.function_name).endsWith("-processor"),
  )!;
}

function processorMapping(stack: SynthesizedStack) {
  const arn = stack.ref("aws_lambda_function", processorFunction(stack), "arn");
  return Object.values(stack.resources("aws_lambda_event_source_mapping")).find((m) => m.function_name === arn)!;
}

function processorPolicy(stack: SynthesizedStack) {
  return Object.values(stack.resources("aws_iam_role_policy")).find((p) =>
    String(p.name).endsWith("-processor-role-permissions"),
  )!;
}

function workQueue(stack: SynthesizedStack) {
  return Object.values(stack.resources("aws_sqs_queue")).find((q) => String(q.name).endsWith("-queue"))!;
}

describe("OrdersStack", () => {
  it("synthesizes one stack per environment: dev, staging and prod", () => {
    expect(Object.keys(stacks)).toEqual(["dev", "staging", "prod"]);
  });

  describe("prod reproduces seed 002", () => {
    it("queue: visibility 300 s, retention 14 days, long polling, SSE, redrive after 3 receives", () => {
      expect(workQueue(prod)).toMatchObject({
        name: "orders-prod-queue",
        visibility_timeout_seconds: 300,
        message_retention_seconds: 1_209_600,
        receive_wait_time_seconds: 20,
        sqs_managed_sse_enabled: true,
      });
      const redrive = Object.values(prod.resources("aws_sqs_queue_redrive_policy")).find(
        (r) => r.queue_url === prod.ref("aws_sqs_queue", workQueue(prod), "url"),
      )!;
      expect(JSON.parse(redrive.redrive_policy).maxReceiveCount).toBe(3);
      const dlq = Object.values(prod.resources("aws_sqs_queue")).find((q) => String(q.name).endsWith("-dlq"))!;
      expect(dlq.message_retention_seconds).toBe(1_209_600);
    });

    it("function: timeout 50 s, 512 MB, 100 reserved, tracing, TABLE_NAME, QUEUE_URL and LOG_LEVEL", () => {
      const fn = processorFunction(prod);
      expect(fn).toMatchObject({
        function_name: "orders-prod-processor",
        timeout: 50,
        memory_size: 512,
        reserved_concurrent_executions: 100,
        tracing_config: { mode: "Active" },
      });
      expect(fn.environment.variables).toMatchObject({
        LOG_LEVEL: "INFO",
        TABLE_NAME: prod.ref("aws_dynamodb_table", prod.only("aws_dynamodb_table"), "name"),
        QUEUE_URL: prod.ref("aws_sqs_queue", workQueue(prod), "url"),
      });
    });

    it("mapping: batch 10, window 5 s, maximum concurrency 50, the order_created/order_updated filter", () => {
      expect(processorMapping(prod)).toMatchObject({
        batch_size: 10,
        maximum_batching_window_in_seconds: 5,
        scaling_config: { maximum_concurrency: 50 },
        function_response_types: ["ReportBatchItemFailures"],
        filter_criteria: {
          filter: [{ pattern: JSON.stringify({ body: { type: ["order_created", "order_updated"] } }) }],
        },
      });
    });

    it("alarms: depth > 1,000 over 2 x 300 s, DLQ > 0 over 60 s, errors > 10 over 2 x 300 s", () => {
      expect(alarm(prod, "-queue-depth")).toMatchObject({ threshold: 1000, period: 300, evaluation_periods: 2 });
      // Archived, the DLQ alarm is metric math over the DLQ's depth and received count: 60 s periods.
      const dlqAlarm = alarm(prod, "-dlq-not-empty");
      expect(dlqAlarm).toMatchObject({ threshold: 0, evaluation_periods: 1 });
      const periods = (dlqAlarm.metric_query as { metric?: { period: number } }[]).flatMap((q) =>
        q.metric ? [q.metric.period] : [],
      );
      expect(periods).toEqual([60, 60, 60]);
      expect(alarm(prod, "-processor-errors")).toMatchObject({ threshold: 10, period: 300, evaluation_periods: 2 });
    });

    it("grants the seed's SQS actions on the queue and SendMessage on the DLQ", () => {
      const statements = prod.statements(processorPolicy(prod).policy);
      expect(statements.find((s) => s.sid === "ConsumeWorkQueue")!.actions).toEqual([
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
      ]);
      expect(statements.find((s) => s.sid === "SendPoisonToDeadLetterQueue")!.actions).toEqual(["sqs:SendMessage"]);
    });
  });

  describe("prod archives its dead letters (seed 002)", () => {
    it("creates the archive bucket, the archiver draining the DLQ, and outputs where the archive is", () => {
      const bucket = prod.only("aws_s3_bucket");
      expect(bucket.bucket_prefix).toBe("orders-prod-dead-letters-");
      const archiver = Object.values(prod.resources("aws_lambda_function")).find(
        (f) => f.function_name === "orders-prod-archiver",
      )!;
      expect(archiver.environment.variables).toMatchObject({
        ARCHIVE_BUCKET: prod.ref("aws_s3_bucket", bucket, "bucket"),
        ARCHIVE_PREFIX: "dead-letters/",
      });
      expect(prod.json.output!.archive_bucket_name!.value).toBe(prod.ref("aws_s3_bucket", bucket, "bucket"));
      expect(prod.json.output!.archive_prefix!.value).toBe("dead-letters/");
      expect(prod.only("aws_s3_bucket_lifecycle_configuration").rule[0].expiration).toEqual([{ days: 90 }]);
    });

    it("keeps dev and staging in retain mode: no bucket, no archiver", () => {
      for (const name of ["dev", "staging"]) {
        expect(stacks[name]!.resources("aws_s3_bucket"), name).toEqual({});
        expect(Object.keys(stacks[name]!.resources("aws_lambda_function")), name).toHaveLength(1);
      }
    });
  });

  describe("dev and staging", () => {
    it("scale prod down: less concurrency, shorter retention, smaller or equal functions", () => {
      for (const name of ["dev", "staging"]) {
        const stack = stacks[name]!;
        const mapping = stack.only("aws_lambda_event_source_mapping");
        expect(mapping.scaling_config.maximum_concurrency).toBeLessThan(50);
        expect(workQueue(stack).message_retention_seconds).toBeLessThan(1_209_600);
        expect(stack.only("aws_lambda_function").memory_size).toBeLessThanOrEqual(512);
        expect(stack.only("aws_lambda_function").reserved_concurrent_executions ?? 0).toBeLessThan(100);
      }
      expect(stacks.dev!.only("aws_lambda_function").reserved_concurrent_executions).toBeUndefined();
    });

    it("derive their visibility timeouts from the function timeout", () => {
      expect(workQueue(stacks.dev!).visibility_timeout_seconds).toBe(6 * 30 + 1);
      expect(workQueue(stacks.staging!).visibility_timeout_seconds).toBe(6 * 50 + 5);
    });

    it("name every resource after the environment, so all three fit in one account", () => {
      const names = Object.values(stacks).flatMap((stack) => [
        workQueue(stack).name,
        ...Object.values(stack.resources("aws_lambda_function")).map((f) => f.function_name),
        stack.only("aws_dynamodb_table").name,
        ...Object.values(stack.resources("aws_iam_role")).map((r) => r.name),
      ]);
      expect(new Set(names).size).toBe(names.length);
    });
  });

  describe("orders table", () => {
    it("has string pk/sk keys, on-demand billing, point-in-time recovery and encryption", () => {
      for (const stack of Object.values(stacks)) {
        expect(stack.only("aws_dynamodb_table")).toMatchObject({
          hash_key: "pk",
          range_key: "sk",
          attribute: [
            { name: "pk", type: "S" },
            { name: "sk", type: "S" },
          ],
          billing_mode: "PAY_PER_REQUEST",
          point_in_time_recovery: { enabled: true },
          server_side_encryption: { enabled: true },
        });
      }
    });

    it("is protected from deletion in prod only", () => {
      expect(prod.only("aws_dynamodb_table").deletion_protection_enabled).toBe(true);
      expect(stacks.dev!.only("aws_dynamodb_table").deletion_protection_enabled).toBe(false);
    });

    it("is usable by the function with GetItem, PutItem and UpdateItem on that table only", () => {
      for (const stack of Object.values(stacks)) {
        const tableArn = stack.ref("aws_dynamodb_table", stack.only("aws_dynamodb_table"), "arn");
        // Every role's policy (prod's archiver has one too): only the processor's touches the table.
        const tableStatements = Object.values(stack.resources("aws_iam_role_policy"))
          .flatMap((policy) => stack.statements(policy.policy))
          .filter((s) => s.actions.some((a) => a.startsWith("dynamodb:")));
        expect(tableStatements).toEqual([
          {
            sid: "ApplyOrderEvents",
            effect: "Allow",
            actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            resources: [tableArn],
          },
        ]);
      }
    });
  });

  describe("provider and state", () => {
    it("tags everything by default with environment, service and managed-by", () => {
      for (const [name, stack] of Object.entries(stacks)) {
        expect(stack.json.provider!.aws[0].default_tags).toEqual([
          { tags: { environment: name, service: "orders", "managed-by": "cdktf" } },
        ]);
      }
    });

    it("accepts a range of provider versions, so it can sit beside other teams' modules", () => {
      expect(prod.json.terraform!.required_providers.aws).toEqual({
        source: "aws",
        version: AWS_PROVIDER_VERSION_RANGE,
      });
    });

    it("keeps local state at the project root by a relative path", () => {
      for (const [name, stack] of Object.entries(stacks)) {
        expect(stack.json.terraform!.backend).toEqual({ local: { path: `../../../terraform.${name}.tfstate` } });
      }
    });

    it("uses an S3 backend with native lock-file locking when the environment names a bucket", () => {
      const withBucket = { ...environment("staging"), stateBackend: { bucket: "acme-terraform-state" } };
      const stack = synthEnvironments([withBucket]).staging!;
      expect(stack.json.terraform!.backend).toEqual({
        s3: {
          bucket: "acme-terraform-state",
          key: "queue-processor/orders/staging.tfstate",
          region: "us-east-1",
          encrypt: true,
          use_lockfile: true,
        },
      });
    });

    it("takes each environment's state bucket from QP_STATE_BUCKET_<ENV>, as the deploy workflow sets it", () => {
      const configured = environments({ QP_STATE_BUCKET_PROD: "acme-prod-state" });
      expect(configured.find((env) => env.name === "prod")!.stateBackend).toEqual({ bucket: "acme-prod-state" });
      expect(configured.find((env) => env.name === "dev")!.stateBackend).toBeUndefined();
    });

    it("refuses an environment name, region or state bucket that is not plainly one, before any synth", () => {
      const dev = environment("dev");
      const cases: [OrdersEnvironment, string][] = [
        [
          { ...dev, name: '${upper("dev")}' },
          'name must be 1-40 characters of A-Z, a-z, 0-9, "-" or "_" (got "${upper(\\"dev\\")}")',
        ],
        [{ ...dev, name: "dev prod" }, 'name must be 1-40 characters of A-Z, a-z, 0-9, "-" or "_" (got "dev prod")'],
        [{ ...dev, region: "${var.region}" }, 'region must be an AWS region like us-east-1 (got "${var.region}")'],
        [{ ...dev, region: "US-EAST-1" }, 'region must be an AWS region like us-east-1 (got "US-EAST-1")'],
        [
          environments({ QP_STATE_BUCKET_DEV: '${file("/etc/hostname")}' }).find((env) => env.name === "dev")!,
          'stateBackend.bucket must be an S3 bucket name: 3-63 characters of a-z, 0-9, "." or "-" (got "${file(\\"/etc/hostname\\")}")',
        ],
        [
          { ...dev, stateBackend: { bucket: "acme-state", region: "%{ if true }x%{ endif }" } },
          'stateBackend.region must be an AWS region like us-east-1 (got "%{ if true }x%{ endif }")',
        ],
      ];
      for (const [input, message] of cases) {
        expect(() => new OrdersStack(new App({ outdir: tempDir("orders-invalid") }), input)).toThrow(
          `[orders-environment-invalid] ${message}`,
        );
      }
      expect(() => new OrdersStack(new App({ outdir: tempDir("orders-invalid") }), { ...dev, name: "x y" })).toThrow(
        /^Invalid orders environment "x y":/,
      );
    });

    it("outputs the URLs, ARNs and names a caller (and npm run ops) needs", () => {
      const common = [
        "alarm_names",
        "alarm_topic_arn",
        "dead_letter_queue_arn",
        "dead_letter_queue_name",
        "dead_letter_queue_url",
        "environment",
        "event_source_mapping_uuid",
        "function_arn",
        "function_name",
        "metrics_namespace",
        "metrics_service",
        "queue_arn",
        "queue_name",
        "queue_url",
        "region",
        "role_arn",
        "table_arn",
        "table_name",
      ];
      const archiveOnly = ["archive_bucket_name", "archive_prefix"];
      for (const [name, stack] of Object.entries(stacks)) {
        const archived = environment(name).processor.deadLetters?.mode === "archive";
        expect(Object.keys(stack.json.output!).sort(), name).toEqual(
          (archived ? [...common, ...archiveOnly] : common).sort(),
        );
      }
    });

    it("outputs the values ops reads as plain values or references: environment, region, metrics, alarm names", () => {
      for (const [name, stack] of Object.entries(stacks)) {
        const output = (id: string) => stack.json.output![id]!.value as unknown;
        expect(output("environment")).toBe(name);
        expect(output("region")).toBe(environment(name).region);
        expect(output("metrics_namespace")).toBe("Orders");
        expect(output("metrics_service")).toBe(`orders-${name}-processor`);
        const alarmNames = Object.values(stack.resources("aws_cloudwatch_metric_alarm")).map(
          (alarm) => alarm.alarm_name,
        );
        expect([...(output("alarm_names") as string[])].sort()).toEqual(alarmNames.sort());
        expect(alarmNames).toContain(`orders-${name}-filtered-out-events`);
        expect(output("event_source_mapping_uuid")).toMatch(/^\$\{aws_lambda_event_source_mapping\.[^.]+\.uuid\}$/);
      }
    });
  });
});
