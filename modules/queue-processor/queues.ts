import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { SqsQueue, type SqsQueueConfig } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy/index.js";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js";
import { SqsQueueRedrivePolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-policy/index.js";
import { SQS, SQS_EVENT_SOURCE } from "@queue-processor/runtime/aws-limits";
import { Construct } from "constructs";
import type { ResolvedConfig } from "./resolve.js";

/**
 * Receives of a dead letter by the archiver before SQS moves it to the unarchived queue: with the
 * DLQ's visibility timeout of 6 x the archiver's timeout (6 minutes by default), about an hour of
 * retries, which outlasts a passing S3 or KMS fault.
 */
const ARCHIVER_MAX_RECEIVES = 10;

/** How long SQS reuses a KMS data key, in seconds: AWS's default, a balance of cost and exposure. */
const KMS_DATA_KEY_REUSE_SECONDS = 300;

/**
 * The work queue and its dead-letter queue, of the same type and encryption. Redrive and
 * redrive-allow are separate resources so neither queue's definition refers to the other.
 */
export class ProcessorQueues extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly redrivePolicy: SqsQueueRedrivePolicy;
  readonly redriveAllowPolicy: SqsQueueRedriveAllowPolicy;
  /**
   * Archive mode: the dead-letter queue's own dead-letter queue, for dead letters the archiver failed to
   * store {@link ARCHIVER_MAX_RECEIVES} times (an S3 outage, a denied key). Without it they would be
   * retried until they expire. Undefined in retain mode.
   */
  readonly unarchivedQueue: SqsQueue | undefined;

  constructor(scope: Construct, id: string, config: ResolvedConfig, tags: Record<string, string>) {
    super(scope, id);
    const { queue, names } = config;
    const shared: Partial<SqsQueueConfig> = {
      ...(queue.kmsKeyArn
        ? { kmsMasterKeyId: queue.kmsKeyArn, kmsDataKeyReusePeriodSeconds: KMS_DATA_KEY_REUSE_SECONDS }
        : { sqsManagedSseEnabled: true }),
      ...(queue.fifo ? { fifoQueue: true } : {}),
      maxMessageSize: queue.maxMessageSizeBytes,
      tags,
    };

    const { deadLetters } = config;
    this.deadLetterQueue = new SqsQueue(this, "dead-letter-queue", {
      ...shared,
      name: names.deadLetterQueue,
      messageRetentionSeconds: queue.deadLetterRetentionSeconds,
      // Retained, the DLQ is read by people and redrive tools: the SQS defaults fit. Archived, the
      // archiver's mapping needs a visibility timeout of at least its timeout (AWS advises 6 x).
      ...(deadLetters.mode === "archive"
        ? {
            visibilityTimeoutSeconds: Math.min(
              SQS.visibilityTimeoutSeconds.max,
              SQS_EVENT_SOURCE.advisedVisibilityFactor * deadLetters.archiver.timeoutSeconds,
            ),
          }
        : {}),
    });
    this.queue = new SqsQueue(this, "queue", {
      ...shared,
      name: names.queue,
      visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
      messageRetentionSeconds: queue.retentionSeconds,
      receiveWaitTimeSeconds: queue.receiveWaitTimeSeconds,
      delaySeconds: queue.deliveryDelaySeconds,
      ...(queue.fifo
        ? {
            contentBasedDeduplication: queue.contentBasedDeduplication,
            ...(queue.highThroughputFifo
              ? { deduplicationScope: "messageGroup", fifoThroughputLimit: "perMessageGroupId" }
              : { deduplicationScope: "queue", fifoThroughputLimit: "perQueue" }),
          }
        : {}),
    });

    this.redrivePolicy = new SqsQueueRedrivePolicy(this, "redrive", {
      queueUrl: this.queue.url,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: this.deadLetterQueue.arn,
        maxReceiveCount: queue.maxReceiveCount,
      }),
    });
    this.redriveAllowPolicy = new SqsQueueRedriveAllowPolicy(this, "redrive-allow", {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({
        redrivePermission: "byQueue",
        sourceQueueArns: [this.queue.arn],
      }),
    });

    denyInsecureTransport(this, "queue-tls-only", this.queue);
    denyInsecureTransport(this, "dead-letter-queue-tls-only", this.deadLetterQueue);

    if (deadLetters.mode === "archive") {
      const unarchived = new SqsQueue(this, "unarchived-queue", {
        ...shared,
        name: names.archiver.unarchivedQueue,
        messageRetentionSeconds: queue.deadLetterRetentionSeconds,
      });
      new SqsQueueRedrivePolicy(this, "dead-letter-redrive", {
        queueUrl: this.deadLetterQueue.url,
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: unarchived.arn, maxReceiveCount: ARCHIVER_MAX_RECEIVES }),
      });
      new SqsQueueRedriveAllowPolicy(this, "unarchived-redrive-allow", {
        queueUrl: unarchived.url,
        redriveAllowPolicy: JSON.stringify({
          redrivePermission: "byQueue",
          sourceQueueArns: [this.deadLetterQueue.arn],
        }),
      });
      denyInsecureTransport(this, "unarchived-queue-tls-only", unarchived);
      this.unarchivedQueue = unarchived;
    } else {
      this.unarchivedQueue = undefined;
    }
  }
}

/** A queue policy that refuses every request not made over TLS, from anyone. */
function denyInsecureTransport(scope: Construct, id: string, queue: SqsQueue): SqsQueuePolicy {
  const document = new DataAwsIamPolicyDocument(scope, `${id}-document`, {
    statement: [
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["sqs:*"],
        resources: [queue.arn],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ],
  });
  return new SqsQueuePolicy(scope, id, { queueUrl: queue.url, policy: document.json });
}
