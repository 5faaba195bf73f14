/** Every policy rule, in the order its findings are reported (blocking findings first, then advisory). */
import type { Rule } from "./rule.js";
import { bucketEncryptionMissing, bucketPublicAccessOpen } from "./rules/buckets.js";
import { iamWildcard, iamWildcardException } from "./rules/iam.js";
import { statefulDestroy } from "./rules/lifecycle.js";
import {
  maxConcurrencyAboveReserved,
  partialBatchResponsesOff,
  visibilityBelowAdvice,
  visibilityBelowTimeout,
} from "./rules/mapping.js";
import { dlqAlarmMissing, logRetentionUnset } from "./rules/observability.js";
import { dlqMissing, dlqTypeMismatch, encryptionOff, nonTlsAllowed } from "./rules/queues.js";
import type { FindingSeverity } from "./types.js";

export const RULE_CHECKS: readonly Rule[] = [
  dlqMissing,
  dlqTypeMismatch,
  visibilityBelowTimeout,
  visibilityBelowAdvice,
  partialBatchResponsesOff,
  encryptionOff,
  nonTlsAllowed,
  bucketEncryptionMissing,
  bucketPublicAccessOpen,
  iamWildcard,
  iamWildcardException,
  maxConcurrencyAboveReserved,
  dlqAlarmMissing,
  logRetentionUnset,
  statefulDestroy,
];

/** Every rule the checks can emit, one line each, in the order findings are reported. */
export const RULES: readonly { id: string; severity: FindingSeverity; reason: string }[] = Object.freeze(
  RULE_CHECKS.map((rule) => Object.freeze({ id: rule.id, severity: rule.severity, reason: rule.reason })),
);
