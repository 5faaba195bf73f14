import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy/index.js";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning/index.js";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { IAM } from "@queue-processor/runtime/aws-limits";
import { Construct } from "constructs";
import { ProcessorFunction } from "./function.js";
import { ExecutionRole } from "./iam.js";
import { projectRootOf, type ResolvedConfig, type ResolvedDeadLetters } from "./resolve.js";

type ArchiveSettings = Extract<ResolvedDeadLetters, { mode: "archive" }>;

/** Records per archiver invocation: one SQS receive's worth, so one alert covers one receive. */
const ARCHIVER_BATCH_SIZE = 10;
/**
 * The archiver's mapping polls with at most this many concurrent invocations (Lambda's minimum): dead
 * letters are few, and a flood of them must not take the account's concurrency from other functions.
 */
const ARCHIVER_MAX_CONCURRENCY = 2;

export interface DeadLetterArchiveInputs {
  readonly config: ResolvedConfig;
  readonly archive: ArchiveSettings;
  readonly deadLetterQueue: SqsQueue;
  /** The DLQ's own dead-letter queue (ProcessorQueues makes it with the other queues). */
  readonly unarchivedQueue: SqsQueue | undefined;
  /** Where the archiver sends one alert per batch: the alarm topic. */
  readonly alertTopicArn: string;
  readonly tags: Record<string, string>;
}

/**
 * Archive mode: the archiver function drains the dead-letter queue into S3, one object per dead
 * letter under `prefix`, and alerts the alarm topic once per batch. The bucket is the caller's or one
 * created here: private, encrypted, TLS-only, versioned, expiring.
 */
export class DeadLetterArchive extends Construct {
  /** The created bucket; undefined when the caller gave one. */
  readonly bucket: S3Bucket | undefined;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly prefix: string;
  /** Dead letters the archiver failed to store ARCHIVER_MAX_RECEIVES times wait here. */
  readonly unarchivedQueue: SqsQueue | undefined;
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly eventSourceMapping: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, inputs: DeadLetterArchiveInputs) {
    super(scope, id);
    const { config, archive, deadLetterQueue, alertTopicArn, tags } = inputs;
    const { kmsKeyArn } = config.queue;
    const names = config.names.archiver;
    this.prefix = archive.prefix;
    this.unarchivedQueue = inputs.unarchivedQueue;

    if (archive.bucket === undefined) {
      this.bucket = createArchiveBucket(this, "bucket", {
        bucketPrefix: names.bucketPrefix,
        prefix: archive.prefix,
        expireAfterDays: archive.expireAfterDays,
        kmsKeyArn,
        tags,
      });
      this.bucketName = this.bucket.bucket;
      this.bucketArn = this.bucket.arn;
    } else {
      this.bucket = undefined;
      this.bucketName = archive.bucket.name;
      this.bucketArn = archive.bucket.arn;
    }

    const executionRole = new ExecutionRole(this, "execution-role", names.role, tags);
    this.role = executionRole.role;
    const archiver = new ProcessorFunction(this, "archiver", {
      projectRoot: projectRootOf(config),
      settings: {
        ...archive.archiver,
        environment: {},
        reservedConcurrency: undefined,
        architecture: config.handler.architecture,
        bundleAwsSdk: config.handler.bundleAwsSdk,
      },
      names: { function: names.function, logGroup: names.logGroup },
      role: this.role,
      rolePolicy: executionRole.policy,
      constructEnvironment: {
        ARCHIVE_BUCKET: this.bucketName,
        ARCHIVE_PREFIX: archive.prefix,
        ALERT_TOPIC_ARN: alertTopicArn,
        NODE_OPTIONS: "--enable-source-maps",
      },
      tags,
    });
    this.function = archiver.function;

    const grant = executionRole.addStatement.bind(executionRole);
    grant({
      sid: "ConsumeDeadLetterQueue",
      actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
      resources: [deadLetterQueue.arn],
    });
    executionRole.grantObjectWrites(this.bucketArn, archive.prefix);
    grant({ sid: "PublishAlerts", actions: ["sns:Publish"], resources: [alertTopicArn] });
    executionRole.grantOwnLogStreams(archiver.logGroup.arn);
    grant({ sid: "WriteTraces", actions: [...IAM.actionsWithoutResourceLevelPermissions], resources: ["*"] });
    if (kmsKeyArn !== undefined) {
      // Decrypt reads the dead letters; GenerateDataKey writes objects under the same key.
      grant({ sid: "UseQueueKey", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [kmsKeyArn] });
    }

    this.eventSourceMapping = new LambdaEventSourceMapping(this, "event-source", {
      eventSourceArn: deadLetterQueue.arn,
      functionName: this.function.arn,
      batchSize: ARCHIVER_BATCH_SIZE,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: ARCHIVER_MAX_CONCURRENCY },
      enabled: true,
      dependsOn: [executionRole.policy],
    });
  }
}

interface ArchiveBucketSettings {
  readonly bucketPrefix: string;
  readonly prefix: string;
  readonly expireAfterDays: number;
  readonly kmsKeyArn: string | undefined;
  readonly tags: Record<string, string>;
}

/**
 * The archive bucket: ACLs off and every public access block on, SSE-S3 (or SSE-KMS under the queue's
 * key, with an S3 Bucket Key), a policy denying requests without TLS, versioning (an overwrite or a
 * delete keeps the dead letter), and expiry of current and noncurrent versions.
 */
function createArchiveBucket(scope: Construct, id: string, settings: ArchiveBucketSettings): S3Bucket {
  const { kmsKeyArn, tags } = settings;
  const bucket = new S3Bucket(scope, id, { bucketPrefix: settings.bucketPrefix, tags });
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, `${id}-public-access-block`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, `${id}-ownership`, {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-encryption`, {
    bucket: bucket.id,
    rule: [
      {
        applyServerSideEncryptionByDefault:
          kmsKeyArn === undefined ? { sseAlgorithm: "AES256" } : { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
        ...(kmsKeyArn === undefined ? {} : { bucketKeyEnabled: true }),
      },
    ],
  });
  new S3BucketVersioningA(scope, `${id}-versioning`, {
    bucket: bucket.id,
    versioningConfiguration: { status: "Enabled" },
  });
  new S3BucketLifecycleConfiguration(scope, `${id}-lifecycle`, {
    bucket: bucket.id,
    rule: [
      {
        id: "expire-dead-letters",
        status: "Enabled",
        filter: [{ prefix: settings.prefix }],
        expiration: [{ days: settings.expireAfterDays }],
        noncurrentVersionExpiration: [{ noncurrentDays: settings.expireAfterDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
      },
    ],
  });
  const tlsOnly = new DataAwsIamPolicyDocument(scope, `${id}-tls-only-document`, {
    statement: [
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        actions: ["s3:*"],
        resources: [bucket.arn, `${bucket.arn}/*`],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ],
  });
  // After the public access block, so the policy is never judged against a bucket without one.
  new S3BucketPolicy(scope, `${id}-tls-only`, {
    bucket: bucket.id,
    policy: tlsOnly.json,
    dependsOn: [publicAccessBlock],
  });
  return bucket;
}
