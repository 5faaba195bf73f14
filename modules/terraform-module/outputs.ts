import { ALARM_KINDS } from "../queue-processor/resolve.js";
import { interpolate } from "./hcl.js";
import { RETAINED_DLQ_ALARM } from "./structure.js";

interface Output {
  readonly value: string;
  readonly description: string;
}

/** What a caller wires to; the names are the orders stacks' outputs (what `npm run ops` reads). */
export function moduleOutputs(address: (path: string) => string): Record<string, Output> {
  const queue = address("queues/queue");
  const deadLetterQueue = address("queues/dead-letter-queue");
  const fn = address("processor/function");
  const archiver = address("dead-letter-archive/archiver/function");
  // A splat of a counted resource is [] when it is off: the names of the alarms that exist, in the construct's order.
  const alarmNames = ALARM_KINDS.flatMap((kind) =>
    kind === "deadLetterQueueNotEmpty" ? [`alarms/${kind}`, RETAINED_DLQ_ALARM] : [`alarms/${kind}`],
  ).map((path) => `${address(path)}[*].alarm_name`);
  const output = (value: string, description: string): Output => ({ value: interpolate(value), description });
  return {
    queue_url: output(`${queue}.url`, "URL of the work queue: where producers send."),
    queue_arn: output(`${queue}.arn`, "ARN of the work queue."),
    queue_name: output(`${queue}.name`, "Name of the work queue."),
    dead_letter_queue_url: output(`${deadLetterQueue}.url`, "URL of the dead-letter queue."),
    dead_letter_queue_arn: output(`${deadLetterQueue}.arn`, "ARN of the dead-letter queue."),
    dead_letter_queue_name: output(`${deadLetterQueue}.name`, "Name of the dead-letter queue."),
    function_name: output(`${fn}.function_name`, "Name of the processor function."),
    function_arn: output(`${fn}.arn`, "ARN of the processor function."),
    role_arn: output(`${address("execution-role/role")}.arn`, "ARN of the processor function's execution role."),
    event_source_mapping_uuid: output(`${address("event-source")}.uuid`, "UUID of the queue's event source mapping."),
    alarm_topic_arn: output(
      "local.alarm_topic_arn",
      "ARN of the topic alarms notify (created or given); null without alarms.",
    ),
    alarm_names: output(`concat(${alarmNames.join(", ")})`, "Names of the alarms created."),
    archive_bucket_name: output(
      "local.archive ? local.archive_bucket_name : null",
      "Archive mode: the bucket dead letters are stored in (created or given); null in retain mode.",
    ),
    archive_prefix: output(
      "local.archive ? var.archive_prefix : null",
      "Archive mode: the key prefix of archived dead letters.",
    ),
    archiver_function_name: output(`one(${archiver}[*].function_name)`, "Archive mode: the archiver function's name."),
  };
}
