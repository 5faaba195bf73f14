import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { DEFAULT_ARCHIVE_PREFIX } from "../archive/dead-letter-record.js";
import { createLogger, parseLogLevel } from "../log.js";
import { createArchiver } from "./archiver.js";
import { archiverSettings } from "./settings.js";

// Read once per container; a missing or malformed variable fails the cold start, before any record
// is received, so nothing is deleted from the dead-letter queue by a misconfigured archiver.
const settings = archiverSettings(process.env, DEFAULT_ARCHIVE_PREFIX);

// The SDK reads AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_SNS itself, so the same bundle runs against
// local servers; a local S3 is addressed by path, as a bucket name is no host name there.
// throwOnRequestTimeout: without it this SDK only logs a warning when requestTimeout passes, and a
// hung request would hold the batch until the function times out.
const clientOptions = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
};
const s3 = new S3Client({ ...clientOptions, forcePathStyle: settings.forcePathStyle });
const sns = new SNSClient(clientOptions);

export const handler = createArchiver({
  s3,
  sns,
  bucket: settings.bucket,
  prefix: settings.prefix,
  alertTopicArn: settings.alertTopicArn,
  logger: createLogger({ level: parseLogLevel(process.env.LOG_LEVEL) }),
});
