import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { OpsInputError } from "./ops-error.js";
import type { PipelineTarget } from "./pipeline-target.js";

/** Local servers take any key; the SDK still wants one when the environment names none. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export interface OpsClients {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  destroy(): void;
}

/**
 * Clients for the target: on AWS the standard credential chain and the stack's region; locally one
 * endpoint for every service, path-style S3, and queue URLs sent to that endpoint whatever host they name.
 */
export function createClients(target: PipelineTarget): OpsClients {
  const local = target.endpoint !== undefined;
  const credentials =
    local && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE ? { credentials: LOCAL_CREDENTIALS } : {};
  const endpoint = local ? { endpoint: target.endpoint } : {};
  const sqs = new SQSClient({
    region: target.region,
    ...endpoint,
    ...credentials,
    ...(local ? { useQueueUrlAsEndpoint: false } : {}),
  });
  const s3 = new S3Client({ region: target.region, ...endpoint, ...credentials, forcePathStyle: local });
  return {
    sqs,
    s3,
    destroy: () => {
      sqs.destroy();
      s3.destroy();
    },
  };
}

const MISSING_CREDENTIALS = new Set(["CredentialsProviderError", "ExpiredTokenException", "ExpiredToken"]);
const BAD_CREDENTIALS = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "AccessDenied",
  "AccessDeniedException",
]);
const NO_QUEUE = new Set(["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"]);

/**
 * An AWS error that is the caller's to fix (no credentials, a missing queue) as an input error,
 * naming what was tried; any other error as it is.
 */
export function asInputError(error: unknown, what: string): unknown {
  const name = (error as { name?: string } | null)?.name ?? "";
  const message = String((error as Error | null)?.message ?? error)
    .replace(/\s+/g, " ")
    .slice(0, 300);
  if (MISSING_CREDENTIALS.has(name)) {
    return new OpsInputError(
      `no usable AWS credentials for ${what}: ${message} (the standard chain: AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, instance roles)`,
    );
  }
  if (BAD_CREDENTIALS.has(name))
    return new OpsInputError(`AWS refused the credentials for ${what}: ${name}: ${message}`);
  if (NO_QUEUE.has(name)) return new OpsInputError(`${what}: the queue does not exist (${message})`);
  if (name === "NoSuchBucket") return new OpsInputError(`${what}: the bucket does not exist (${message})`);
  const code = (error as { code?: string } | null)?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || name === "TimeoutError") {
    return new OpsInputError(`${what}: cannot reach the endpoint (${code ?? name}: ${message})`);
  }
  return error;
}
