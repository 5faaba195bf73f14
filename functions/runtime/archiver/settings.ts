import { describeValue } from "../describe-value.js";

export interface ArchiverSettings {
  readonly bucket: string;
  readonly prefix: string;
  readonly alertTopicArn: string;
  /** True when AWS_ENDPOINT_URL_S3 names a local server, where buckets are not host names. */
  readonly forcePathStyle: boolean;
}

/** S3's rules for a bucket name: 3-63 of lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** S3 keys are at most 1,024 bytes; the archiver's own part (queue name, date, message id) needs about 180. */
const MAX_PREFIX_BYTES = 512;

/**
 * The archiver's configuration from its environment, as the QueueProcessor construct sets it:
 * ARCHIVE_BUCKET, ALERT_TOPIC_ARN (required), ARCHIVE_PREFIX (default `defaultPrefix`). Each bad
 * value throws, naming the variable, the value and what is allowed.
 */
export function archiverSettings(environment: NodeJS.ProcessEnv, defaultPrefix: string): ArchiverSettings {
  const bucket = environment.ARCHIVE_BUCKET;
  if (!bucket || !BUCKET_NAME.test(bucket) || bucket.includes("..")) {
    throw new Error(
      `ARCHIVE_BUCKET must be an S3 bucket name (3-63 of a-z 0-9 . -, a letter or digit at each end; got ${describeValue(bucket)})`,
    );
  }
  const alertTopicArn = environment.ALERT_TOPIC_ARN;
  if (!alertTopicArn || !SNS_TOPIC_ARN.test(alertTopicArn)) {
    throw new Error(
      `ALERT_TOPIC_ARN must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>; got ${describeValue(alertTopicArn)})`,
    );
  }
  const prefix = environment.ARCHIVE_PREFIX ?? defaultPrefix;
  if (
    Buffer.byteLength(prefix) > MAX_PREFIX_BYTES ||
    prefix.startsWith("/") ||
    (prefix !== "" && !prefix.endsWith("/")) ||
    [...prefix].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f)
  ) {
    throw new Error(
      `ARCHIVE_PREFIX must be empty or a key prefix ending in "/", not starting with one, without control characters, at most ${MAX_PREFIX_BYTES} bytes (got ${describeValue(prefix)})`,
    );
  }
  const endpoint = environment.AWS_ENDPOINT_URL_S3 ?? environment.AWS_ENDPOINT_URL;
  return { bucket, prefix, alertTopicArn, forcePathStyle: endpoint !== undefined && isLocalHost(endpoint) };
}

function isLocalHost(endpoint: string): boolean {
  try {
    const { hostname } = new URL(endpoint);
    return (
      hostname === "localhost" ||
      hostname.endsWith(".localhost") ||
      /^\d+\.\d+\.\d+\.\d+$/.test(hostname) ||
      hostname === "[::1]"
    );
  } catch {
    return false;
  }
}
