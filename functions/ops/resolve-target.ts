import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_ARCHIVE_PREFIX } from "@queue-processor/runtime/archive";
import { asInputError } from "./aws-clients.js";
import { OpsInputError } from "./ops-error.js";
import type { PipelineTarget, QueueAddress } from "./pipeline-target.js";
import {
  deployedOutputs,
  parseReference,
  readSynthesizedJson,
  type StackOutputs,
  type SynthesizedStackJson,
  stackFolder,
  synthesizedOutputs,
} from "./stack-outputs.js";

export interface TargetSource {
  readonly environment: string;
  /** cdktf's output folder, holding `stacks/<env>`. */
  readonly outdir: string;
  /** A local pipeline's one endpoint (`npm run local -- --keep` prints it); undefined for AWS. */
  readonly endpointUrl?: string;
}

/** The stack's metrics namespace when its outputs do not name one (the order-processor's). */
const DEFAULT_METRICS_NAMESPACE = "Orders";

/**
 * The pipeline an ops verb works on. Deployed: `terraform output -json` in the stack folder. Local:
 * the names in the synthesized stack, and the URLs and ARNs from the local endpoint, which also proves
 * the queues exist there.
 */
export async function resolveTarget(source: TargetSource): Promise<PipelineTarget> {
  const folder = stackFolder(source.outdir, source.environment);
  const json = readSynthesizedJson(folder);
  const region = json.provider?.aws?.[0]?.region ?? process.env.AWS_REGION ?? "us-east-1";
  if (source.endpointUrl === undefined) {
    const outputs = await deployedOutputs(folder);
    return targetFrom(source.environment, region, outputs, {
      queue: addressFrom(outputs, "queue_url", "queue_arn"),
      deadLetterQueue: addressFrom(outputs, "dead_letter_queue_url", "dead_letter_queue_arn"),
    });
  }
  const endpoint = checkedEndpoint(source.endpointUrl);
  const outputs = { ...archiveFallback(json), ...alarmFallback(json), ...definedOnly(synthesizedOutputs(json)) };
  const client = new SQSClient({
    region,
    endpoint,
    useQueueUrlAsEndpoint: false,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const queue = await localQueue(client, endpoint, queueNameOf(json, "queue_arn"));
    const deadLetterQueue = await localQueue(client, endpoint, queueNameOf(json, "dead_letter_queue_arn"));
    return { ...targetFrom(source.environment, region, outputs, { queue, deadLetterQueue }), endpoint };
  } finally {
    client.destroy();
  }
}

function targetFrom(
  environment: string,
  region: string,
  outputs: StackOutputs,
  queues: { queue: QueueAddress; deadLetterQueue: QueueAddress },
): PipelineTarget {
  const functionName = requiredString(outputs, "function_name");
  const bucket = optionalString(outputs, "archive_bucket_name");
  const uuid = optionalString(outputs, "event_source_mapping_uuid");
  const topic = optionalString(outputs, "alarm_topic_arn");
  return {
    environment: optionalString(outputs, "environment") ?? environment,
    region: optionalString(outputs, "region") ?? region,
    ...queues,
    functionName,
    alarmNames: stringList(outputs, "alarm_names"),
    ...(topic ? { alarmTopicArn: topic } : {}),
    ...(bucket
      ? { archive: { bucket, prefix: optionalString(outputs, "archive_prefix") ?? DEFAULT_ARCHIVE_PREFIX } }
      : {}),
    metrics: {
      namespace: optionalString(outputs, "metrics_namespace") ?? DEFAULT_METRICS_NAMESPACE,
      service: optionalString(outputs, "metrics_service") ?? functionName,
    },
    ...(uuid ? { eventSourceMappingUuid: uuid } : {}),
  };
}

function checkedEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OpsInputError(
      `--endpoint-url must be an http(s) URL such as http://127.0.0.1:4566 (got ${JSON.stringify(text)})`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OpsInputError(
      `--endpoint-url must be an http(s) URL such as http://127.0.0.1:4566 (got ${JSON.stringify(text)})`,
    );
  }
  return url.origin;
}

async function localQueue(client: SQSClient, endpoint: string, name: string): Promise<QueueAddress> {
  try {
    // The URL as the server gives it: local servers name a host of their own (sqs.<region>.localhost),
    // and the clients send every request to the endpoint whatever host the URL names.
    const url = String((await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
    );
    return { url, arn: String(Attributes?.QueueArn), name };
  } catch (error) {
    throw asInputError(
      error,
      `queue ${name} at ${endpoint} (is \`npm run local -- --keep\` running for this environment?)`,
    );
  }
}

/** The queue's name: the `name` of the aws_sqs_queue the output's ARN refers to. */
function queueNameOf(json: SynthesizedStackJson, output: string): string {
  const reference = parseReference(json.output?.[output]?.value);
  const name = reference ? json.resource?.[reference.type]?.[reference.name]?.name : undefined;
  if (typeof name !== "string") {
    throw new OpsInputError(
      `the synthesized stack has no output ${output} naming an aws_sqs_queue: is it an orders stack?`,
    );
  }
  return name;
}

/** Before the stack outputs them: every alarm the stack defines. */
function alarmFallback(json: SynthesizedStackJson): StackOutputs {
  const names = Object.values(json.resource?.aws_cloudwatch_metric_alarm ?? {})
    .map((alarm) => alarm.alarm_name)
    .filter((name): name is string => typeof name === "string");
  return { alarm_names: names };
}

/** Before the stack outputs them: the archiver's bucket and prefix, from its environment. */
function archiveFallback(json: SynthesizedStackJson): StackOutputs {
  for (const fn of Object.values(json.resource?.aws_lambda_function ?? {})) {
    const variables = (fn.environment as { variables?: Record<string, unknown> } | undefined)?.variables;
    if (variables?.ARCHIVE_BUCKET === undefined) continue;
    const reference = parseReference(variables.ARCHIVE_BUCKET);
    const bucket = reference ? json.resource?.[reference.type]?.[reference.name]?.bucket : variables.ARCHIVE_BUCKET;
    return { archive_bucket_name: bucket, archive_prefix: variables.ARCHIVE_PREFIX };
  }
  return {};
}

function definedOnly(outputs: StackOutputs): StackOutputs {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}

function addressFrom(outputs: StackOutputs, urlOutput: string, arnOutput: string): QueueAddress {
  const url = requiredString(outputs, urlOutput);
  const arn = requiredString(outputs, arnOutput);
  return { url, arn, name: arn.split(":").at(-1) ?? arn };
}

function requiredString(outputs: StackOutputs, name: string): string {
  const value = outputs[name];
  if (typeof value !== "string" || value.length === 0) {
    throw new OpsInputError(
      `the stack's output ${name} must be a non-empty string (got ${JSON.stringify(value) ?? "nothing"})`,
    );
  }
  return value;
}

function optionalString(outputs: StackOutputs, name: string): string | undefined {
  const value = outputs[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function stringList(outputs: StackOutputs, name: string): string[] {
  const value = outputs[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
