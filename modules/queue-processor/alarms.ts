import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import type { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { Construct } from "constructs";
import type { AlarmKind, ResolvedAlarm, ResolvedConfig } from "./resolve.js";

interface AlarmTargets {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly function: LambdaFunction;
  readonly eventSourceMapping: LambdaEventSourceMapping;
  /** Archive mode: where dead letters the archiver could not store go. */
  readonly unarchivedQueue: SqsQueue | undefined;
}

/** What one alarm kind watches, and how to say it in plain English. */
interface AlarmDefinition {
  readonly namespace: "AWS/SQS" | "AWS/Lambda";
  readonly metricName: string;
  readonly statistic: "Average" | "Maximum" | "Sum";
  readonly dimensions: (targets: AlarmTargets) => Record<string, string>;
  readonly describe: (alarm: ResolvedAlarm) => string;
}

const window = (alarm: ResolvedAlarm) =>
  `${alarm.evaluationPeriods} consecutive period${alarm.evaluationPeriods === 1 ? "" : "s"} of ${alarm.periodSeconds} s`;

const DEFINITIONS: Record<AlarmKind, AlarmDefinition> = {
  queueDepth: {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    statistic: "Average",
    dimensions: (t) => ({ QueueName: t.queue.name }),
    describe: (a) =>
      `More than ${a.threshold} messages are waiting in the queue on average for ${window(a)}: consumers are not keeping up.`,
  },
  deadLetterQueueNotEmpty: {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    statistic: "Maximum",
    dimensions: (t) => ({ QueueName: t.deadLetterQueue.name }),
    describe: (a) =>
      `More than ${a.threshold} messages are in the dead-letter queue for ${window(a)}: they need a look and a redrive.`,
  },
  oldestMessageAge: {
    namespace: "AWS/SQS",
    metricName: "ApproximateAgeOfOldestMessage",
    statistic: "Maximum",
    dimensions: (t) => ({ QueueName: t.queue.name }),
    describe: (a) =>
      `The oldest message in the queue is more than ${a.threshold} s old for ${window(a)}: messages wait longer than their retries can explain, and expire at the retention limit.`,
  },
  functionErrors: {
    namespace: "AWS/Lambda",
    metricName: "Errors",
    statistic: "Sum",
    dimensions: (t) => ({ FunctionName: t.function.functionName }),
    describe: (a) =>
      `The function failed more than ${a.threshold} invocations in each of ${window(a)}: every failed invocation returns its whole batch to the queue.`,
  },
  functionThrottles: {
    namespace: "AWS/Lambda",
    metricName: "Throttles",
    statistic: "Sum",
    dimensions: (t) => ({ FunctionName: t.function.functionName }),
    describe: (a) =>
      `The function was throttled more than ${a.threshold} times in each of ${window(a)}: throttled batches go back to the queue and use up receives toward the DLQ.`,
  },
  filteredOutEvents: {
    namespace: "AWS/Lambda",
    metricName: "FilteredOutEventCount",
    statistic: "Sum",
    dimensions: (t) => ({ EventSourceMappingUUID: t.eventSourceMapping.uuid }),
    describe: (a) =>
      `The mapping's filter deleted more than ${a.threshold} records in each of ${window(a)} without invoking the function: they never reach the function or the DLQ.`,
  },
};

/**
 * Archive mode: the archiver drains the DLQ within seconds, so its visible count may never reach a
 * one-minute Maximum. The alarm takes the largest of that, the DLQ's NumberOfMessagesReceived (Sum),
 * which counts every dead letter the archiver received, and the unarchived queue's visible count.
 */
function archivedDeadLetterQueueAlarm(alarm: ResolvedAlarm, queueName: string, unarchivedQueueName: string) {
  const metric = (id: string, metricName: string, stat: string, queue = queueName) => ({
    id,
    metric: {
      namespace: "AWS/SQS",
      metricName,
      dimensions: { QueueName: queue },
      period: alarm.periodSeconds,
      stat,
    },
  });
  return {
    alarmDescription:
      `More than ${alarm.threshold} messages were in or arrived at the dead-letter queue in ${window(alarm)}: ` +
      "the archiver stores them in S3 with their reason (those it cannot store wait in the unarchived queue); they need a look and a replay.",
    metricQuery: [
      metric("visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
      metric("received", "NumberOfMessagesReceived", "Sum"),
      metric("unarchived", "ApproximateNumberOfMessagesVisible", "Maximum", unarchivedQueueName),
      {
        id: "dead_letters",
        expression: "MAX([visible, received, unarchived])",
        label: "Dead letters visible, received or unarchived",
        returnData: true,
      },
    ],
  };
}

/**
 * One CloudWatch alarm per enabled kind, notifying a topic on ALARM and on OK. Missing data counts as
 * healthy: SQS stops publishing for idle queues and Lambda publishes nothing without invocations.
 */
export class ProcessorAlarms extends Construct {
  /** The topic created here, when the caller passed none. */
  readonly topic: SnsTopic | undefined;
  readonly topicArn: string;
  readonly alarms: Partial<Record<AlarmKind, CloudwatchMetricAlarm>> = {};

  constructor(
    scope: Construct,
    id: string,
    config: ResolvedConfig,
    targets: AlarmTargets,
    tags: Record<string, string>,
  ) {
    super(scope, id);
    if (config.alarms === false) throw new Error("ProcessorAlarms needs alarms enabled");
    const { topicArn, byKind } = config.alarms;

    if (topicArn === undefined) {
      // Not encrypted with the AWS-managed SNS key: CloudWatch cannot use that key, and alarms would
      // silently fail to publish. Alarm notifications carry no message data.
      this.topic = new SnsTopic(this, "topic", { name: config.names.topic, tags });
      this.topicArn = this.topic.arn;
    } else {
      this.topic = undefined;
      this.topicArn = topicArn;
    }

    for (const kind of Object.keys(DEFINITIONS) as AlarmKind[]) {
      const alarm = byKind[kind];
      if (alarm === false) continue;
      // Without a filter nothing is filtered out, and Lambda publishes no FilteredOutEventCount.
      if (kind === "filteredOutEvents" && config.eventSource.filterPatterns.length === 0) continue;
      const definition = DEFINITIONS[kind];
      const metric =
        kind === "deadLetterQueueNotEmpty" && targets.unarchivedQueue !== undefined
          ? archivedDeadLetterQueueAlarm(alarm, targets.deadLetterQueue.name, targets.unarchivedQueue.name)
          : {
              alarmDescription: definition.describe(alarm),
              namespace: definition.namespace,
              metricName: definition.metricName,
              statistic: definition.statistic,
              dimensions: definition.dimensions(targets),
              period: alarm.periodSeconds,
            };
      this.alarms[kind] = new CloudwatchMetricAlarm(this, kind, {
        alarmName: config.names.alarm(kind),
        ...metric,
        evaluationPeriods: alarm.evaluationPeriods,
        threshold: alarm.threshold,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [this.topicArn],
        okActions: [this.topicArn],
        tags,
      });
    }
  }
}
