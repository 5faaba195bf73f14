import type { PolicyStatement } from "./policy-statement.js";
import type {
  AlarmsProps,
  AlarmTuning,
  ArchiveBucket,
  ArchiveDeadLetters,
  ArchiverProps,
  EventSourceProps,
  HandlerProps,
  QueueProcessorProps,
  QueueProps,
} from "./props.js";

// `satisfies` makes the compiler fail when a prop is added to an interface but not listed here,
// so the misspelled-key check can never reject a real property.
const TOP = {
  name: true,
  handler: true,
  queue: true,
  eventSource: true,
  alarms: true,
  deadLetters: true,
  tags: true,
  projectRoot: true,
} satisfies Record<keyof QueueProcessorProps, true>;
const HANDLER = {
  entry: true,
  timeoutSeconds: true,
  memorySizeMb: true,
  environment: true,
  reservedConcurrency: true,
  architecture: true,
  logRetentionDays: true,
  bundleAwsSdk: true,
} satisfies Record<keyof HandlerProps, true>;
const QUEUE = {
  fifo: true,
  visibilityTimeoutSeconds: true,
  retentionSeconds: true,
  deadLetterRetentionSeconds: true,
  maxReceiveCount: true,
  kmsKeyArn: true,
  maxMessageSizeBytes: true,
  receiveWaitTimeSeconds: true,
  deliveryDelaySeconds: true,
  contentBasedDeduplication: true,
  highThroughputFifo: true,
} satisfies Record<keyof QueueProps, true>;
const EVENT_SOURCE = {
  batchSize: true,
  maxBatchingWindowSeconds: true,
  maxConcurrency: true,
  filterPatterns: true,
} satisfies Record<keyof EventSourceProps, true>;
const ALARMS = {
  topicArn: true,
  queueDepth: true,
  deadLetterQueueNotEmpty: true,
  oldestMessageAge: true,
  functionErrors: true,
  functionThrottles: true,
  filteredOutEvents: true,
} satisfies Record<keyof AlarmsProps, true>;
const ALARM_TUNING = {
  threshold: true,
  periodSeconds: true,
  evaluationPeriods: true,
} satisfies Record<keyof AlarmTuning, true>;
const ARCHIVE = {
  mode: true,
  bucket: true,
  prefix: true,
  expireAfterDays: true,
  archiver: true,
} satisfies Record<keyof ArchiveDeadLetters, true>;
const ARCHIVE_BUCKET = { arn: true, name: true } satisfies Record<keyof ArchiveBucket, true>;
const ARCHIVER = {
  entry: true,
  timeoutSeconds: true,
  memorySizeMb: true,
  logRetentionDays: true,
} satisfies Record<keyof ArchiverProps, true>;
const POLICY_STATEMENT = {
  sid: true,
  actions: true,
  resources: true,
  wildcardReason: true,
} satisfies Record<keyof PolicyStatement, true>;

export const KNOWN_KEYS = {
  top: Object.keys(TOP),
  handler: Object.keys(HANDLER),
  queue: Object.keys(QUEUE),
  eventSource: Object.keys(EVENT_SOURCE),
  alarms: Object.keys(ALARMS),
  alarmTuning: Object.keys(ALARM_TUNING),
  policyStatement: Object.keys(POLICY_STATEMENT),
  retain: ["mode"],
  archive: Object.keys(ARCHIVE),
  archiveBucket: Object.keys(ARCHIVE_BUCKET),
  archiver: Object.keys(ARCHIVER),
} as const;

/** The known key a misspelling most likely meant: same letters in another case, or 2 edits away. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Levenshtein distance, one row of the table per character of `a`. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  let distance = b.length;
  for (let i = 0; i < a.length; i++) {
    // The cells up-left and left of the one being computed.
    let diagonal = i;
    let left = i + 1;
    const next = [left];
    row.slice(1).forEach((above, j) => {
      left = Math.min(above + 1, left + 1, diagonal + (a[i] === b[j] ? 0 : 1));
      diagonal = above;
      next.push(left);
    });
    row = next;
    distance = left;
  }
  return distance;
}
