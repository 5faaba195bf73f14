import { IAM } from "@queue-processor/runtime/aws-limits";
import { resourceNames } from "./resolve.js";

/**
 * The construct's own limits, on top of AWS's (functions/runtime/aws-limits.ts): the names it derives and the
 * settings it keeps for itself.
 */
export const CONSTRUCT_LIMITS = {
  /** The longest derived name, the role's "<name>-processor-role", must fit IAM's role name limit. */
  nameMaxLength: IAM.roleNameMaxLength - resourceNames("", false).role.length,
  /** The characters every derived name (queues, function, role, log group, topic, alarms) accepts. */
  namePattern: /^[A-Za-z0-9_-]+$/,
  /** AWS accepts 0, but it stops the function and messages expire from the queue unprocessed. */
  reservedConcurrencyMin: 1,
} as const;

/** Environment variables the construct sets for the runtime library. */
export const CONSTRUCT_ENVIRONMENT_KEYS: readonly string[] = ["QUEUE_URL", "DLQ_URL", "NODE_OPTIONS"];
