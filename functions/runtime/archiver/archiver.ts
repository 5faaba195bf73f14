import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { archiveKey } from "../archive/dead-letter-record.js";
import { createLogger, type Logger, parseLogLevel } from "../log.js";
import { processBatch } from "../process-batch.js";
import { archiveAlert, publishAlert } from "./alert.js";
import { archiverMetricsDocument } from "./archiver-metrics.js";
import { toArchivedDeadLetter } from "./dead-letter.js";

/** The longest an alert may hold the invocation; a slow SNS costs the alert, never the batch. */
const ALERT_TIMEOUT_MS = 5000;
/** Time kept free after the alert for the response, as the library keeps its deadline margin. */
const ALERT_MARGIN_MS = 500;

export interface ArchiverOptions {
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly bucket: string;
  /** Prepended to every key; the construct's default is `dead-letters/`. */
  readonly prefix: string;
  readonly alertTopicArn: string;
  readonly logger?: Logger;
  /** CloudWatch namespace of the archiver's metrics and the library's. Default "QueueProcessor". */
  readonly metricsNamespace?: string;
  /** For tests: the time written as `archivedAt`. */
  readonly now?: () => Date;
}

/**
 * The dead-letter queue's Lambda handler: each record stored in S3 under its {@link archiveKey}, with
 * a conditional put (`If-None-Match: *`), and only then reported succeeded, so the event source
 * mapping deletes it. A put that fails reports its record failed and the DLQ keeps it; a put refused
 * because the key exists (412) means an earlier delivery stored it: success, counted as a duplicate
 * and not alerted again. After the batch, one alert with the newly stored counts by reason. An alert
 * that fails is logged and counted (`ArchiveAlertsFailed`), and the records still succeed: they are
 * stored, and failing them would only archive them as duplicates and never alert either.
 */
export function createArchiver(
  options: ArchiverOptions,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const logger = options.logger ?? createLogger({ level: parseLogLevel(process.env.LOG_LEVEL) });
  const namespace = options.metricsNamespace ?? "QueueProcessor";
  const now = options.now ?? (() => new Date());

  return async (event, context) => {
    const startedAt = Date.now();
    const storedByReason = new Map<string, number>();
    let alreadyArchived = 0;
    const archiveOne = async (record: SQSRecord) => {
      const deadLetter = toArchivedDeadLetter(record, now());
      const key = archiveKey(options.prefix, deadLetter);
      try {
        await options.s3.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: key,
            Body: JSON.stringify(deadLetter),
            ContentType: "application/json",
            IfNoneMatch: "*",
          }),
        );
      } catch (error) {
        if (!isAlreadyStored(error)) throw error;
        alreadyArchived += 1;
        logger.info("dead letter already archived", { messageId: record.messageId, key });
        return "duplicate" as const;
      }
      storedByReason.set(deadLetter.reason, (storedByReason.get(deadLetter.reason) ?? 0) + 1);
      logger.info("dead letter archived", { messageId: record.messageId, key, reason: deadLetter.reason });
      return "processed" as const;
    };
    const response = await processBatch(event, context, archiveOne, {
      logger,
      // The DLQ's own visibility timeout spaces the retries: the archiver gets no SQS client, and
      // needs no permission beyond reading and deleting its queue.
      backoff: false,
      metrics: { namespace },
    });

    const archived = [...storedByReason.values()].reduce((sum, count) => sum + count, 0);
    let alertFailed = false;
    const deadLetterQueueArn = event.Records?.[0]?.eventSourceARN ?? "";
    if (archived > 0) {
      const alert = archiveAlert(storedByReason, {
        deadLetterQueueArn,
        bucket: options.bucket,
        prefix: options.prefix,
      });
      const remainingMs =
        (context?.getRemainingTimeInMillis?.() ?? ALERT_TIMEOUT_MS + ALERT_MARGIN_MS) - ALERT_MARGIN_MS;
      try {
        if (remainingMs <= 0) throw new Error("no time left in the invocation to publish the alert");
        await publishAlert(options.sns, options.alertTopicArn, alert, Math.min(ALERT_TIMEOUT_MS, remainingMs));
        logger.info("archive alert published", { archived, byReason: alert.byReason });
      } catch (error) {
        alertFailed = true;
        logger.error("archive alert could not be published; the dead letters are stored", {
          error,
          archived,
          byReason: alert.byReason,
        });
      }
    }
    process.stdout.write(
      `${JSON.stringify(
        archiverMetricsDocument(
          { archived, alreadyArchived, alertsFailed: alertFailed ? 1 : 0 },
          {
            namespace,
            service: context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? "unknown",
            timestamp: startedAt,
          },
        ),
      )}\n`,
    );
    return response;
  };
}

/** S3's answer to a conditional put whose key exists (412 PreconditionFailed). */
function isAlreadyStored(error: unknown): boolean {
  const failure = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | undefined;
  return failure?.name === "PreconditionFailed" || failure?.$metadata?.httpStatusCode === 412;
}
