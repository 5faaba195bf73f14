import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import type { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import type { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { IAM } from "@queue-processor/runtime/aws-limits";
import { Annotations, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ProcessorAlarms } from "./alarms.js";
import { DeadLetterArchive } from "./archive.js";
import { describeValue } from "./describe-value.js";
import { QueueProcessorConfigError } from "./errors.js";
import { createEventSourceMapping } from "./event-source.js";
import { ProcessorFunction } from "./function.js";
import { ExecutionRole } from "./iam.js";
import type { PolicyStatement } from "./policy-statement.js";
import type { QueueProcessorProps } from "./props.js";
import { ProcessorQueues } from "./queues.js";
import { type AlarmKind, derivedValues, projectRootOf, type ResolvedConfig, resolveConfig } from "./resolve.js";
import { got, isPlainObject } from "./validation/rule.js";
import { type ValidationResult, validateConfig } from "./validation/validate-config.js";

/**
 * Resolves and validates props without building anything: what `new QueueProcessor` does first.
 * Throws {@link QueueProcessorConfigError} listing every broken rule; returns the warnings.
 */
export function checkQueueProcessorProps(props: QueueProcessorProps): {
  config: ResolvedConfig;
  warnings: ValidationResult["warnings"];
} {
  if (!isPlainObject(props)) {
    throw new QueueProcessorConfigError(describeValue(props), [
      { code: "props-invalid", path: "", message: `the props must be an object like { name, handler } ${got(props)}` },
    ]);
  }
  const config = resolveConfig(props);
  const { errors, warnings } = validateConfig(props, config);
  if (errors.length > 0) {
    const name = typeof props.name === "string" ? props.name : describeValue(props.name);
    throw new QueueProcessorConfigError(name, errors);
  }
  return { config, warnings };
}

/**
 * A complete SQS → Lambda pipeline: work queue and dead-letter queue, the bundled function with its
 * log group and least-privilege role, the event source mapping with partial batch responses, and
 * alarms, and in archive mode the archiver that drains dead letters to S3. Configuration is validated when the construct is created, before Terraform sees it.
 */
export class QueueProcessor extends Construct {
  /** Everything after defaults and derived values, as built. */
  readonly config: ResolvedConfig;
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly function: LambdaFunction;
  readonly logGroup: CloudwatchLogGroup;
  readonly role: IamRole;
  readonly eventSourceMapping: LambdaEventSourceMapping;
  /** The created alarm topic, if the construct created one. */
  readonly alarmTopic: SnsTopic | undefined;
  /** ARN of the topic alarms notify, created or given; undefined when alarms are off. */
  readonly alarmTopicArn: string | undefined;
  /** The alarms, by kind; kinds switched off are absent. */
  readonly alarms: Partial<Record<AlarmKind, CloudwatchMetricAlarm>>;
  /** Size of the zipped code, in bytes. */
  readonly codeZipBytes: number;
  /** Archive mode: the bucket, prefix, archiver function, its role and mapping; undefined in retain mode. */
  readonly deadLetterArchive: DeadLetterArchive | undefined;

  private readonly executionRole: ExecutionRole;

  constructor(scope: Construct, id: string, props: QueueProcessorProps) {
    super(scope, id);
    const { config, warnings } = checkQueueProcessorProps(props);
    this.config = config;
    for (const warning of warnings) {
      Annotations.of(this).addWarning(`[${warning.code}] ${warning.message}`);
    }
    const tags = { ...config.tags };
    // Recorded in the stack's "//" comment block (Terraform ignores it) so that a review can show a
    // derived value that changed because something else did.
    TerraformStack.of(this).addOverride(`//.queue_processors.${config.name}.derived`, derivedValues(props, config));

    const queues = new ProcessorQueues(this, "queues", config, tags);
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;

    this.executionRole = new ExecutionRole(this, "execution-role", config.names.role, tags);
    this.role = this.executionRole.role;

    const processor = new ProcessorFunction(this, "processor", {
      settings: config.handler,
      projectRoot: projectRootOf(config),
      names: config.names,
      role: this.role,
      rolePolicy: this.executionRole.policy,
      constructEnvironment: {
        QUEUE_URL: this.queue.url,
        DLQ_URL: this.deadLetterQueue.url,
        // The zip carries a source map; this makes stack traces in the logs point at the TypeScript.
        NODE_OPTIONS: "--enable-source-maps",
      },
      tags,
    });
    this.function = processor.function;
    this.logGroup = processor.logGroup;
    this.codeZipBytes = processor.bundle.zipBytes;

    this.grantPipelinePermissions();

    this.eventSourceMapping = createEventSourceMapping(this, "event-source", config, this.queue, this.function, [
      this.executionRole.policy,
      queues.redrivePolicy,
    ]);

    if (config.alarms === false) {
      this.alarmTopic = undefined;
      this.alarmTopicArn = undefined;
      this.alarms = {};
    } else {
      const alarms = new ProcessorAlarms(
        this,
        "alarms",
        config,
        {
          queue: this.queue,
          deadLetterQueue: this.deadLetterQueue,
          function: this.function,
          eventSourceMapping: this.eventSourceMapping,
          unarchivedQueue: queues.unarchivedQueue,
        },
        tags,
      );
      this.alarmTopic = alarms.topic;
      this.alarmTopicArn = alarms.topicArn;
      this.alarms = alarms.alarms;
    }

    const { deadLetters } = config;
    // Validation refuses archive mode without alarms: the archiver alerts through their topic.
    this.deadLetterArchive =
      deadLetters.mode === "archive" && this.alarmTopicArn !== undefined
        ? new DeadLetterArchive(this, "dead-letter-archive", {
            config,
            archive: deadLetters,
            deadLetterQueue: this.deadLetterQueue,
            unarchivedQueue: queues.unarchivedQueue,
            alertTopicArn: this.alarmTopicArn,
            tags,
          })
        : undefined;
  }

  /**
   * Grants the function an Allow statement on the caller's own resources, such as a table, in the
   * role's one inline policy. Actions must be exact names and resources exact ARNs: a `*` or `?` in
   * either is refused unless the statement states a deliberate wildcard ({@link PolicyStatement}),
   * which the synth then prints as a warning. Throws {@link QueueProcessorConfigError} otherwise.
   */
  addToRolePolicy(statement: PolicyStatement): void {
    for (const warning of this.executionRole.addStatement(statement)) {
      Annotations.of(this).addWarning(`[${warning.code}] ${warning.message}`);
    }
  }

  /**
   * The pipeline's own statements, checked like a caller's, but without the warnings a caller could
   * act on. Its two wildcards are the ones AWS leaves no alternative to, and the plan review knows
   * both: X-Ray's resource `*`, and the streams of the function's own log group, which Lambda names at
   * run time (granted by grantOwnLogStreams, the one statement that skips the wildcard check).
   */
  private grantPipelinePermissions(): void {
    const { kmsKeyArn } = this.config.queue;
    const grant = (statement: PolicyStatement) => this.executionRole.addStatement(statement);
    grant({
      sid: "ConsumeWorkQueue",
      actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
      resources: [this.queue.arn],
    });
    grant({
      sid: "SendPoisonToDeadLetterQueue",
      actions: ["sqs:SendMessage"],
      resources: [this.deadLetterQueue.arn],
    });
    this.executionRole.grantOwnLogStreams(this.logGroup.arn);
    grant({
      sid: "WriteTraces",
      actions: [...IAM.actionsWithoutResourceLevelPermissions],
      resources: ["*"],
    });
    if (kmsKeyArn !== undefined) {
      grant({
        sid: "UseQueueKey",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [kmsKeyArn],
      });
    }
  }
}
