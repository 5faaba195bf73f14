import { describe, expect, it } from "vitest";
import type { QueueProcessorProps } from "../../../modules/index.js";
import { checkQueueProcessorProps, QueueProcessorConfigError } from "../../../modules/index.js";
import { DEFAULT_ARCHIVER_ENTRY } from "../../../modules/queue-processor/resolve.js";
import { archiverStubEntry, PLACEHOLDER_ENTRY, type Statement, synthProcessor } from "../../support/synth.js";

const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:platform-alarms";
const FILTER = [{ body: { type: ["order_created"] } }];

/** Props with `deadLetters` (and more) as given; `any` so that tests can pass what TypeScript would refuse. */
// biome-ignore lint/suspicious/noExplicitAny: the tests pass what TypeScript would refuse
function props(overrides: Record<string, any>): QueueProcessorProps {
  return { name: "orders", handler: { entry: PLACEHOLDER_ENTRY }, ...overrides } as QueueProcessorProps;
}

/** The issues of one rule code, as `path: message`. */
function issuesOf(input: QueueProcessorProps, code: string): string[] {
  try {
    checkQueueProcessorProps(input);
  } catch (error) {
    if (!(error instanceof QueueProcessorConfigError)) throw error;
    return error.issues.filter((issue) => issue.code === code).map((issue) => `${issue.path}: ${issue.message}`);
  }
  return [];
}

const archive = (settings: Record<string, unknown> = {}) => props({ deadLetters: { mode: "archive", ...settings } });

describe("deadLetters: validation", () => {
  it("defaults to retain, and accepts retain and archive spelled out", () => {
    expect(checkQueueProcessorProps(props({})).config.deadLetters).toEqual({ mode: "retain" });
    expect(checkQueueProcessorProps(props({ deadLetters: { mode: "retain" } })).config.deadLetters).toEqual({
      mode: "retain",
    });
    expect(checkQueueProcessorProps(archive()).config.deadLetters).toEqual({
      mode: "archive",
      bucket: undefined,
      prefix: "dead-letters/",
      expireAfterDays: 90,
      archiver: { entry: DEFAULT_ARCHIVER_ENTRY, timeoutSeconds: 60, memorySizeMb: 256, logRetentionDays: 30 },
    });
  });

  it.each([
    ["Archive", '(got "Archive")'],
    ["", '(got "")'],
    [undefined, "(got undefined)"],
    [null, "(got null)"],
    [1, "(got 1)"],
  ])("refuses the mode %j", (mode, shown) => {
    expect(issuesOf(props({ deadLetters: { mode } }), "dead-letters-mode-invalid")).toEqual([
      `deadLetters.mode: deadLetters.mode must be "retain" (dead letters stay in the DLQ) or "archive" (drained to S3) ${shown}`,
    ]);
  });

  it.each([
    ["a string", "archive", 'deadLetters: deadLetters must be an object (got "archive")'],
    ["null", null, "deadLetters: deadLetters must be an object (got null)"],
    ["an array", [], "deadLetters: deadLetters must be an object (got [])"],
  ])("refuses deadLetters as %s", (_what, value, message) => {
    expect(issuesOf(props({ deadLetters: value }), "unknown-property")).toEqual([message]);
  });

  it("refuses archive settings in retain mode, and misspelled keys at every level of archive mode", () => {
    expect(issuesOf(props({ deadLetters: { mode: "retain", prefix: "x/" } }), "unknown-property")).toEqual([
      "deadLetters.prefix: deadLetters.prefix is not a known property (allowed: mode)",
    ]);
    expect(
      issuesOf(
        archive({
          expireAfterDay: 30,
          bucket: { name: "b-1", arn: "arn:aws:s3:::b-1", region: "x" },
          archiver: { timeout: 5 },
        }),
        "unknown-property",
      ),
    ).toEqual([
      "deadLetters.expireAfterDay: deadLetters.expireAfterDay is not a known property (allowed: mode, bucket, prefix, expireAfterDays, archiver); did you mean deadLetters.expireAfterDays?",
      "deadLetters.bucket.region: deadLetters.bucket.region is not a known property (allowed: arn, name)",
      "deadLetters.archiver.timeout: deadLetters.archiver.timeout is not a known property (allowed: entry, timeoutSeconds, memorySizeMb, logRetentionDays)",
    ]);
    expect(issuesOf(archive({ bucket: "my-bucket", archiver: 5 }), "unknown-property")).toEqual([
      'deadLetters.bucket: deadLetters.bucket must be an object (got "my-bucket")',
      "deadLetters.archiver: deadLetters.archiver must be an object (got 5)",
    ]);
  });

  describe("bucket", () => {
    const nameMessage = (shown: string) =>
      `deadLetters.bucket.name: deadLetters.bucket.name must be an S3 bucket name: 3-63 of a-z, 0-9, "." and "-", starting and ending with a letter or digit, not an IP address nor a reserved prefix or suffix ${shown}`;
    it.each([
      ["ab", '(got "ab")'],
      ["Dead-Letters", '(got "Dead-Letters")'],
      ["dead_letters", '(got "dead_letters")'],
      ["-dead-letters", '(got "-dead-letters")'],
      ["dead..letters", '(got "dead..letters")'],
      ["192.168.1.1", '(got "192.168.1.1")'],
      ["xn--dead-letters", '(got "xn--dead-letters")'],
      ["dead-letters-s3alias", '(got "dead-letters-s3alias")'],
      ["a".repeat(64), `(got "${"a".repeat(64)}")`],
      [42, "(got 42)"],
    ])("refuses the bucket name %j", (name, shown) => {
      const arn = typeof name === "string" ? `arn:aws:s3:::${name}` : "arn:aws:s3:::x";
      expect(issuesOf(archive({ bucket: { name, arn } }), "archive-bucket-invalid")).toEqual([nameMessage(shown)]);
    });

    const arnMessage = (shown: string) =>
      `deadLetters.bucket.arn: deadLetters.bucket.arn must be a bucket ARN like arn:aws:s3:::<bucket name> (no key, no wildcard) ${shown}`;
    it.each([
      ["dead-letters", '(got "dead-letters")'],
      ["arn:aws:s3:::dead-letters/*", '(got "arn:aws:s3:::dead-letters/*")'],
      ["arn:aws:s3:::dead-*", '(got "arn:aws:s3:::dead-*")'],
      ["arn:aws:s3:us-east-1:123456789012:dead-letters", '(got "arn:aws:s3:us-east-1:123456789012:dead-letters")'],
      ["arn:aws:sqs:us-east-1:123456789012:dead-letters", '(got "arn:aws:sqs:us-east-1:123456789012:dead-letters")'],
      [undefined, "(got undefined)"],
    ])("refuses the bucket ARN %j", (arn, shown) => {
      expect(issuesOf(archive({ bucket: { name: "dead-letters", arn } }), "archive-bucket-invalid")).toEqual([
        arnMessage(shown),
      ]);
    });

    it("accepts a valid bucket in any AWS partition", () => {
      for (const arn of ["arn:aws:s3:::dead-letters.example", "arn:aws-us-gov:s3:::dead-letters.example"]) {
        expect(issuesOf(archive({ bucket: { name: "dead-letters.example", arn } }), "archive-bucket-invalid")).toEqual(
          [],
        );
      }
    });
  });

  describe("prefix", () => {
    it.each([
      "",
      "/",
      "dead-letters",
      "/dead-letters/",
      "dead-letters//",
      "dead letters/",
      "dead-*/",
      "dead?/",
      "./",
      "a/../",
      "${var.prefix}/",
      `${"a".repeat(200)}/`,
      7,
    ])("refuses the prefix %j", (prefix) => {
      expect(issuesOf(archive({ prefix }), "archive-prefix-invalid")).toHaveLength(1);
    });

    it("accepts nested prefixes of safe characters", () => {
      for (const prefix of ["dead-letters/", "orders/prod/dead_letters.v1/", "a/", "(x)!'/"]) {
        expect(issuesOf(archive({ prefix }), "archive-prefix-invalid")).toEqual([]);
      }
    });
  });

  describe("expireAfterDays", () => {
    it.each([0, -1, 1.5, 3651, Number.NaN, "90", "", []])("refuses %j", (expireAfterDays) => {
      expect(issuesOf(archive({ expireAfterDays }), "archive-expiry-invalid")).toHaveLength(1);
    });

    it("refuses an expiry for the caller's bucket, whose lifecycle is the caller's", () => {
      expect(
        issuesOf(
          archive({ expireAfterDays: 30, bucket: { name: "dead-letters", arn: "arn:aws:s3:::dead-letters" } }),
          "archive-expiry-invalid",
        ),
      ).toEqual([
        "deadLetters.expireAfterDays: deadLetters.expireAfterDays applies only to the bucket the construct creates; the lifecycle of deadLetters.bucket is yours to set (got 30 with a bucket given)",
      ]);
    });
  });

  describe("archiver", () => {
    it.each([
      [{ timeoutSeconds: 0 }, "deadLetters.archiver.timeoutSeconds must be a whole number between 1 and 900 (got 0)"],
      [
        { timeoutSeconds: "60" },
        'deadLetters.archiver.timeoutSeconds must be a whole number between 1 and 900 (got "60")',
      ],
      [
        { memorySizeMb: 64 },
        "deadLetters.archiver.memorySizeMb must be a whole number between 128 and 10,240 (got 64)",
      ],
      [
        { memorySizeMb: 10_241 },
        "deadLetters.archiver.memorySizeMb must be a whole number between 128 and 10,240 (got 10241)",
      ],
      [
        { logRetentionDays: 0 },
        "deadLetters.archiver.logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 0)",
      ],
      [{ entry: "" }, 'deadLetters.archiver.entry must be the path of a .ts or .js file exporting handler (got "")'],
      [{ entry: 3 }, "deadLetters.archiver.entry must be the path of a .ts or .js file exporting handler (got 3)"],
    ])("refuses %j", (archiver, message) => {
      expect(
        issuesOf(archive({ archiver }), "archiver-invalid").map((issue) => issue.split(": ").slice(1).join(": ")),
      ).toEqual([message]);
    });
  });

  it("needs the alarm topic in archive mode, a created one or the caller's", () => {
    expect(issuesOf(archive(), "archive-needs-alarm-topic")).toEqual([]);
    expect(
      issuesOf(props({ deadLetters: { mode: "archive" }, alarms: { topicArn: TOPIC } }), "archive-needs-alarm-topic"),
    ).toEqual([]);
    expect(
      issuesOf(props({ deadLetters: { mode: "archive" }, alarms: false }), "archive-needs-alarm-topic"),
    ).toHaveLength(1);
    expect(issuesOf(props({ deadLetters: { mode: "retain" }, alarms: false }), "archive-needs-alarm-topic")).toEqual(
      [],
    );
  });
});

describe("deadLetters: what archive mode creates", () => {
  const archiveProps = (settings: Record<string, unknown> = {}, more: Record<string, unknown> = {}) =>
    props({
      name: "orders-test",
      deadLetters: { mode: "archive", archiver: { entry: archiverStubEntry() }, ...settings },
      ...more,
    });

  function archiverOf(synth: ReturnType<typeof synthProcessor>["synth"]) {
    const functions = synth.resources("aws_lambda_function");
    const archiver = Object.values(functions).find((fn) => fn.function_name === "orders-test-archiver");
    if (!archiver) throw new Error("no archiver function");
    const roles = Object.values(synth.resources("aws_iam_role_policy"));
    const policy = roles.find((p) => String(p.name).startsWith("orders-test-archiver-role"));
    return { archiver, statements: synth.statements(policy!.policy) as Statement[] };
  }

  it("creates nothing new in retain mode", () => {
    const { synth, processor } = synthProcessor({});
    expect(processor.deadLetterArchive).toBeUndefined();
    expect(synth.resources("aws_s3_bucket")).toEqual({});
    expect(Object.keys(synth.resources("aws_lambda_function"))).toHaveLength(1);
    expect(Object.keys(synth.resources("aws_lambda_event_source_mapping"))).toHaveLength(1);
  });

  it("creates a private, encrypted, TLS-only, versioned bucket that expires what it keeps", () => {
    const { synth } = synthProcessor(archiveProps({ expireAfterDays: 30 }));
    const bucket = synth.only("aws_s3_bucket");
    expect(bucket.bucket_prefix).toBe("orders-test-dead-letters-");
    expect(bucket.force_destroy).toBeUndefined();
    const bucketId = synth.ref("aws_s3_bucket", bucket, "id");
    expect(synth.only("aws_s3_bucket_public_access_block")).toMatchObject({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(synth.only("aws_s3_bucket_ownership_controls").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    expect(synth.only("aws_s3_bucket_server_side_encryption_configuration")).toMatchObject({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    expect(synth.only("aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(synth.only("aws_s3_bucket_lifecycle_configuration").rule).toEqual([
      {
        id: "expire-dead-letters",
        status: "Enabled",
        filter: [{ prefix: "dead-letters/" }],
        expiration: [{ days: 30 }],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      },
    ]);
    const policy = synth.only("aws_s3_bucket_policy");
    const [deny] = synth.statements(policy.policy);
    const arn = synth.ref("aws_s3_bucket", bucket, "arn");
    expect(deny).toMatchObject({
      effect: "Deny",
      actions: ["s3:*"],
      resources: [arn, `${arn}/*`],
      principals: [{ type: "*", identifiers: ["*"] }],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
  });

  it("encrypts the bucket with the queue's KMS key, and lets the archiver use exactly that key", () => {
    const { synth } = synthProcessor(archiveProps({}, { queue: { kmsKeyArn: KMS_KEY } }));
    expect(synth.only("aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KMS_KEY },
        bucket_key_enabled: true,
      },
    ]);
    expect(archiverOf(synth).statements.find((s) => s.sid === "UseQueueKey")).toMatchObject({
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [KMS_KEY],
    });
  });

  it.each([
    ["orders-test", "orders-test-dead-letters-"],
    ["Orders_Test", "orders-test-dead-letters-"],
    ["__x", "x-dead-letters-"],
    ["_", "dead-letters-"],
    ["a-very-long-name-of-a-pipeline-that-goes-on", "a-very-long-name-of-a-p-dead-letters-"],
  ])("derives a bucket prefix Terraform accepts from the name %j", (name, prefix) => {
    const { synth } = synthProcessor(archiveProps({}, { name }));
    const bucketPrefix = synth.only("aws_s3_bucket").bucket_prefix as string;
    expect(bucketPrefix).toBe(prefix);
    expect(bucketPrefix.length).toBeLessThanOrEqual(37);
    expect(bucketPrefix).toMatch(/^[a-z0-9][a-z0-9-]*-$/);
  });

  it("runs the archiver with its environment, its own log group and a mapping from the DLQ", () => {
    const { synth, processor } = synthProcessor(archiveProps({ prefix: "orders/dlq/" }));
    const { archiver } = archiverOf(synth);
    const bucket = synth.only("aws_s3_bucket");
    expect(archiver).toMatchObject({
      runtime: "nodejs22.x",
      timeout: 60,
      memory_size: 256,
      architectures: ["arm64"],
      tracing_config: { mode: "Active" },
      logging_config: { log_group: expect.stringContaining("aws_cloudwatch_log_group") },
    });
    expect(archiver.environment.variables).toEqual({
      ARCHIVE_BUCKET: synth.ref("aws_s3_bucket", bucket, "bucket"),
      ARCHIVE_PREFIX: "orders/dlq/",
      ALERT_TOPIC_ARN: synth.ref("aws_sns_topic", synth.only("aws_sns_topic"), "arn"),
      NODE_OPTIONS: "--enable-source-maps",
    });
    const groups = Object.values(synth.resources("aws_cloudwatch_log_group")).map((group) => group.name);
    expect(groups.sort()).toEqual(["/aws/lambda/orders-test-archiver", "/aws/lambda/orders-test-processor"]);
    const deadLetterQueueArn = synth.ref(
      "aws_sqs_queue",
      Object.values(synth.resources("aws_sqs_queue")).find((queue) => queue.name === "orders-test-dlq")!,
      "arn",
    );
    const mapping = Object.values(synth.resources("aws_lambda_event_source_mapping")).find(
      (m) => m.event_source_arn === deadLetterQueueArn,
    );
    expect(mapping).toMatchObject({
      batch_size: 10,
      function_response_types: ["ReportBatchItemFailures"],
      scaling_config: { maximum_concurrency: 2 },
      enabled: true,
    });
    expect(mapping!.function_name).toBe(synth.ref("aws_lambda_function", archiver, "arn"));
    expect(processor.deadLetterArchive?.prefix).toBe("orders/dlq/");
  });

  it("gives the DLQ a visibility timeout of 6 x the archiver's timeout, which its mapping needs", () => {
    const { synth } = synthProcessor(archiveProps({ archiver: { entry: archiverStubEntry(), timeoutSeconds: 120 } }));
    const dlq = Object.values(synth.resources("aws_sqs_queue")).find((queue) => queue.name === "orders-test-dlq")!;
    expect(dlq.visibility_timeout_seconds).toBe(720);
    const retained = synthProcessor({}).synth;
    const kept = Object.values(retained.resources("aws_sqs_queue")).find((queue) => queue.name === "orders-test-dlq")!;
    expect(kept.visibility_timeout_seconds).toBeUndefined();
  });

  it("gives the DLQ a dead-letter queue of its own, so a dead letter the archiver cannot store is kept, not retried until it expires", () => {
    for (const fifo of [false, true]) {
      const { synth } = synthProcessor(archiveProps({}, { queue: { fifo, kmsKeyArn: KMS_KEY } }));
      const byName = Object.fromEntries(Object.values(synth.resources("aws_sqs_queue")).map((q) => [q.name, q]));
      const suffix = fifo ? ".fifo" : "";
      const dlq = byName[`orders-test-dlq${suffix}`]!;
      const unarchived = byName[`orders-test-dlq-unarchived${suffix}`]!;
      expect(unarchived).toMatchObject({ message_retention_seconds: 1_209_600, kms_master_key_id: KMS_KEY });
      expect(unarchived.fifo_queue).toBe(fifo ? true : undefined);
      const redrives = Object.values(synth.resources("aws_sqs_queue_redrive_policy"));
      const ofDlq = redrives.find((r) => r.queue_url === synth.ref("aws_sqs_queue", dlq, "url"))!;
      expect(JSON.parse(ofDlq.redrive_policy)).toEqual({
        deadLetterTargetArn: synth.ref("aws_sqs_queue", unarchived, "arn"),
        maxReceiveCount: 10,
      });
      const allows = Object.values(synth.resources("aws_sqs_queue_redrive_allow_policy"));
      const intoUnarchived = allows.find((a) => a.queue_url === synth.ref("aws_sqs_queue", unarchived, "url"))!;
      expect(JSON.parse(intoUnarchived.redrive_allow_policy)).toEqual({
        redrivePermission: "byQueue",
        sourceQueueArns: [synth.ref("aws_sqs_queue", dlq, "arn")],
      });
      expect(Object.keys(synth.resources("aws_sqs_queue_policy"))).toHaveLength(3);
    }
  });

  it("grants the archiver only what it does: consume the DLQ, put objects under the prefix, publish alerts, its logs", () => {
    const { synth } = synthProcessor(archiveProps());
    const { statements } = archiverOf(synth);
    const bucketArn = synth.ref("aws_s3_bucket", synth.only("aws_s3_bucket"), "arn");
    const dlq = Object.values(synth.resources("aws_sqs_queue")).find((queue) => queue.name === "orders-test-dlq")!;
    expect(statements.map(({ sid, actions, resources }) => ({ sid, actions, resources }))).toEqual([
      {
        sid: "ConsumeDeadLetterQueue",
        actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
        resources: [synth.ref("aws_sqs_queue", dlq, "arn")],
      },
      { sid: "StoreDeadLetters", actions: ["s3:PutObject"], resources: [`${bucketArn}/dead-letters/*`] },
      {
        sid: "PublishAlerts",
        actions: ["sns:Publish"],
        resources: [synth.ref("aws_sns_topic", synth.only("aws_sns_topic"), "arn")],
      },
      {
        sid: "WriteOwnLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}:log-stream:\*$/)],
      },
      { sid: "WriteTraces", actions: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], resources: ["*"] },
    ]);
    // The processor's role gains nothing from archive mode.
    const processorPolicy = Object.values(synth.resources("aws_iam_role_policy")).find((p) =>
      String(p.name).startsWith("orders-test-processor-role"),
    )!;
    const processorActions = synth.statements(processorPolicy.policy).flatMap((s) => s.actions);
    expect(processorActions.filter((action) => action.startsWith("s3:") || action.startsWith("sns:"))).toEqual([]);
  });

  it("uses the caller's bucket and topic as given, creating no bucket", () => {
    const { synth } = synthProcessor(
      archiveProps(
        { bucket: { name: "platform-dead-letters", arn: "arn:aws:s3:::platform-dead-letters" }, prefix: "orders/" },
        { alarms: { topicArn: TOPIC } },
      ),
    );
    expect(synth.resources("aws_s3_bucket")).toEqual({});
    expect(synth.resources("aws_s3_bucket_policy")).toEqual({});
    const { archiver, statements } = archiverOf(synth);
    expect(archiver.environment.variables).toMatchObject({
      ARCHIVE_BUCKET: "platform-dead-letters",
      ARCHIVE_PREFIX: "orders/",
      ALERT_TOPIC_ARN: TOPIC,
    });
    expect(statements.find((s) => s.sid === "StoreDeadLetters")!.resources).toEqual([
      "arn:aws:s3:::platform-dead-letters/orders/*",
    ]);
    expect(statements.find((s) => s.sid === "PublishAlerts")!.resources).toEqual([TOPIC]);
  });

  it("alarms on the DLQ's received count as well as its depth, so a drained DLQ still pages", () => {
    const { synth } = synthProcessor(archiveProps({}, { alarms: { deadLetterQueueNotEmpty: { periodSeconds: 300 } } }));
    const alarm = Object.values(synth.resources("aws_cloudwatch_metric_alarm")).find(
      (a) => a.alarm_name === "orders-test-dlq-not-empty",
    )!;
    expect(alarm.metric_name).toBeUndefined();
    expect(alarm).toMatchObject({ threshold: 0, evaluation_periods: 1, comparison_operator: "GreaterThanThreshold" });
    const dlqName = synth.ref(
      "aws_sqs_queue",
      Object.values(synth.resources("aws_sqs_queue")).find((queue) => queue.name === "orders-test-dlq")!,
      "name",
    );
    const unarchivedName = synth.ref(
      "aws_sqs_queue",
      Object.values(synth.resources("aws_sqs_queue")).find((queue) => queue.name === "orders-test-dlq-unarchived")!,
      "name",
    );
    const metric = (id: string, metricName: string, stat: string, queue = dlqName) => ({
      id,
      metric: { namespace: "AWS/SQS", metric_name: metricName, dimensions: { QueueName: queue }, period: 300, stat },
    });
    expect(alarm.metric_query).toEqual([
      metric("visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
      metric("received", "NumberOfMessagesReceived", "Sum"),
      metric("unarchived", "ApproximateNumberOfMessagesVisible", "Maximum", unarchivedName),
      {
        id: "dead_letters",
        expression: "MAX([visible, received, unarchived])",
        label: "Dead letters visible, received or unarchived",
        return_data: true,
      },
    ]);
  });
});

describe("no silent filtering", () => {
  const alarmsOf = (synth: ReturnType<typeof synthProcessor>["synth"]) =>
    Object.fromEntries(Object.values(synth.resources("aws_cloudwatch_metric_alarm")).map((a) => [a.alarm_name, a]));

  it("turns on the mapping's EventCount metrics and alarms on filtered-out records when there is a filter", () => {
    const { synth } = synthProcessor({ eventSource: { filterPatterns: FILTER } });
    const mapping = synth.only("aws_lambda_event_source_mapping");
    expect(mapping.metrics_config).toEqual({ metrics: ["EventCount"] });
    expect(alarmsOf(synth)["orders-test-filtered-out-events"]).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "FilteredOutEventCount",
      statistic: "Sum",
      dimensions: { EventSourceMappingUUID: synth.ref("aws_lambda_event_source_mapping", mapping, "uuid") },
      threshold: 0,
      period: 300,
      evaluation_periods: 1,
    });
  });

  it("adds neither without a filter, even when the alarm is tuned", () => {
    const { synth } = synthProcessor({ alarms: { filteredOutEvents: { threshold: 5 } } });
    expect(synth.only("aws_lambda_event_source_mapping").metrics_config).toBeUndefined();
    expect(alarmsOf(synth)["orders-test-filtered-out-events"]).toBeUndefined();
  });

  it("tunes the alarm, or switches it off while keeping the metrics", () => {
    const tuned = synthProcessor({
      eventSource: { filterPatterns: FILTER },
      alarms: { filteredOutEvents: { threshold: 100, periodSeconds: 3600, evaluationPeriods: 2 } },
    }).synth;
    expect(alarmsOf(tuned)["orders-test-filtered-out-events"]).toMatchObject({
      threshold: 100,
      period: 3600,
      evaluation_periods: 2,
    });
    const off = synthProcessor({ eventSource: { filterPatterns: FILTER }, alarms: { filteredOutEvents: false } }).synth;
    expect(alarmsOf(off)["orders-test-filtered-out-events"]).toBeUndefined();
    expect(off.only("aws_lambda_event_source_mapping").metrics_config).toEqual({ metrics: ["EventCount"] });
  });

  it.each([
    [{ threshold: -1 }, "alarms.filteredOutEvents.threshold must be a number, 0 or more (got -1)"],
    [{ periodSeconds: 45 }, "alarms.filteredOutEvents.periodSeconds must be 10, 30 or a multiple of 60 (got 45)"],
    [{ evaluationPeriods: 0 }, "alarms.filteredOutEvents.evaluationPeriods must be a whole number 1 or more (got 0)"],
  ])("refuses the tuning %j like any other alarm's", (tuning, message) => {
    expect(
      issuesOf(props({ alarms: { filteredOutEvents: tuning } }), "alarm-setting-invalid").map((i) =>
        i.split(": ").slice(1).join(": "),
      ),
    ).toEqual([message]);
  });

  it("refuses a misspelled key in its tuning", () => {
    expect(issuesOf(props({ alarms: { filteredOutEvents: { treshold: 1 } } }), "unknown-property")).toEqual([
      "alarms.filteredOutEvents.treshold: alarms.filteredOutEvents.treshold is not a known property (allowed: threshold, periodSeconds, evaluationPeriods); did you mean alarms.filteredOutEvents.threshold?",
    ]);
  });
});
