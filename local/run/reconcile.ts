import { isDeepStrictEqual } from "node:util";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { type ExpectedOrder, expectedOrders } from "./expected-state.js";
import type { OrderStream, StreamMessage } from "./order-stream.js";

export interface ReconcileInput {
  readonly stream: OrderStream;
  /** A full Scan of the orders table. */
  readonly tableItems: readonly Record<string, AttributeValue>[];
  /** Everything in the dead-letter queue; `reason` is the `dlq-reason` attribute. */
  readonly deadLetters: readonly { readonly body: string; readonly reason?: string }[];
  /** Messages the event source mapping's filter deleted. */
  readonly filtered: number;
  /** The function's JSON log lines, parsed. */
  readonly functionLogs: readonly Record<string, unknown>[];
  readonly filterActive: boolean;
  /**
   * Archive mode: the dead letters the archiver stored (`deadLetters` above is then what it left in
   * the queue), the objects that are not dead letters, and the alerts published.
   */
  readonly archive?: {
    readonly deadLetters: readonly { readonly body: string; readonly reason: string }[];
    readonly unreadable: readonly string[];
    readonly alerts: number;
    readonly alertedDeadLetters: number;
  };
}

/** Archive mode: where the dead letters ended up. */
interface ArchiveReconciliation {
  readonly archived: number;
  /** Dead letters still in the queue at the end: the archiver should have taken them all. */
  readonly leftInDeadLetterQueue: number;
  readonly alerts: number;
  /** The sum of the alerts' counts: each dead letter stored is alerted once. */
  readonly alertedDeadLetters: number;
  readonly unreadable: readonly string[];
}

export interface Reconciliation {
  readonly sent: number;
  /** Valid messages (duplicates included) whose correlation id has an outcome log line. */
  readonly applied: number;
  /** Outcome log lines saying a create or update was ignored (duplicates, stale updates, redeliveries). */
  readonly duplicatesIgnored: number;
  /** Messages in the dead-letter queue, expected or not. */
  readonly deadLettered: number;
  /** Poison messages in the dead-letter queue with the reason they were expected to get. */
  readonly deadLetteredWithReason: number;
  /** Dead letters per `dlq-reason` ("(none)" when the attribute is missing). */
  readonly deadLetterReasons: Readonly<Record<string, number>>;
  readonly filtered: number;
  /** Poison messages the filter should have removed: 0 without a filter. */
  readonly filteredExpected: number;
  /** Messages sent but accounted for nowhere. */
  readonly lost: number;
  /** Correlation ids with more than one effect ("order created" / "order updated") logged. */
  readonly duplicatedEffects: number;
  readonly expectedOrders: number;
  /** The first 20 differences between the table and the expected state. */
  readonly stateMismatches: readonly string[];
  readonly stateMismatchCount: number;
  readonly unexpectedDeadLetters: readonly string[];
  readonly wrongReasons: readonly string[];
  readonly archive?: ArchiveReconciliation;
  readonly ok: boolean;
}

const EFFECTS = new Set(["order created", "order updated"]);
const IGNORED = new Set(["order already exists, create ignored", "stale or repeated update ignored"]);
const MAX_LISTED_MISMATCHES = 20;

export function reconcile(input: ReconcileInput): Reconciliation {
  const { stream, filterActive } = input;
  const logged = new Set<string>();
  const effects = new Map<string, number>();
  let duplicatesIgnored = 0;
  for (const line of input.functionLogs) {
    const { message, correlationId } = line;
    if (typeof message !== "string" || typeof correlationId !== "string") continue;
    if (!EFFECTS.has(message) && !IGNORED.has(message)) continue;
    logged.add(correlationId);
    if (EFFECTS.has(message)) effects.set(correlationId, (effects.get(correlationId) ?? 0) + 1);
    else duplicatesIgnored += 1;
  }

  const valid = stream.messages.filter((m) => m.kind !== "poison");
  const applied = valid.filter((m) => m.correlationId !== undefined && logged.has(m.correlationId)).length;
  const filteredExpected = filterActive
    ? stream.messages.filter((m) => m.kind === "poison" && !m.passesFilter).length
    : 0;
  // In archive mode a dead letter is accounted for in the bucket or, if the archiver never took it, in
  // the queue; found in both, or twice, it was dead-lettered more than once.
  const allDeadLetters = [...(input.archive?.deadLetters ?? []), ...input.deadLetters];
  const dead = checkDeadLetters({ ...input, deadLetters: allDeadLetters }, stream.messages);
  const archive: ArchiveReconciliation | undefined = input.archive && {
    archived: input.archive.deadLetters.length,
    leftInDeadLetterQueue: input.deadLetters.length,
    alerts: input.archive.alerts,
    alertedDeadLetters: input.archive.alertedDeadLetters,
    unreadable: input.archive.unreadable.slice(0, MAX_LISTED_MISMATCHES),
  };
  const archiveOk =
    !archive ||
    (archive.leftInDeadLetterQueue === 0 &&
      input.archive?.unreadable.length === 0 &&
      archive.alertedDeadLetters === archive.archived);
  // The filter only reports a count, so filtered messages are accounted up to the number expected.
  const accounted = applied + dead.withReason + Math.min(input.filtered, filteredExpected);
  const expected = expectedOrders(stream);
  const mismatches = compareTable(expected, input.tableItems);
  const duplicatedEffects = [...effects.values()].filter((n) => n > 1).length;
  const lost = Math.max(0, stream.messages.length - accounted);
  return {
    sent: stream.messages.length,
    applied,
    duplicatesIgnored,
    deadLettered: allDeadLetters.length,
    deadLetteredWithReason: dead.withReason,
    deadLetterReasons: dead.reasons,
    filtered: input.filtered,
    filteredExpected,
    lost,
    duplicatedEffects,
    expectedOrders: expected.size,
    stateMismatches: mismatches.slice(0, MAX_LISTED_MISMATCHES),
    stateMismatchCount: mismatches.length,
    unexpectedDeadLetters: dead.unexpected,
    wrongReasons: dead.wrongReasons,
    ...(archive ? { archive } : {}),
    ok:
      archiveOk &&
      lost === 0 &&
      duplicatedEffects === 0 &&
      mismatches.length === 0 &&
      dead.unexpected.length === 0 &&
      dead.wrongReasons.length === 0 &&
      input.filtered === filteredExpected,
  };
}

/** Matches dead letters to the poison messages by body (each poison body is unique: it names its own order). */
function checkDeadLetters(input: ReconcileInput, messages: readonly StreamMessage[]) {
  const byBody = new Map(messages.map((m) => [m.message.body, m]));
  const seen = new Set<string>();
  const reasons: Record<string, number> = {};
  const unexpected: string[] = [];
  const wrongReasons: string[] = [];
  let withReason = 0;
  for (const { body, reason } of input.deadLetters) {
    const label = reason ?? "(none)";
    reasons[label] = (reasons[label] ?? 0) + 1;
    const sent = byBody.get(body);
    if (sent === undefined) {
      unexpected.push(`a message that was never sent (${label}): ${body.slice(0, 80)}`);
    } else if (sent.kind !== "poison") {
      unexpected.push(`${sent.orderId}: a valid ${sent.kind} (${sent.correlationId}) was dead-lettered (${label})`);
    } else if (input.filterActive && !sent.passesFilter) {
      unexpected.push(`${sent.orderId}: poison the filter should have removed was dead-lettered (${label})`);
    } else if (seen.has(body)) {
      // A second copy means the original was redelivered after being dead-lettered: not deleted in time.
      unexpected.push(`${sent.orderId}: dead-lettered more than once (${label})`);
    } else if (reason !== sent.poisonReason) {
      seen.add(body);
      wrongReasons.push(`${sent.orderId}: dead-lettered as ${label}, expected ${sent.poisonReason}`);
    } else {
      seen.add(body);
      withReason += 1;
    }
  }
  return { reasons, unexpected, wrongReasons, withReason };
}

/** Every expected order must be in the table with exactly its fields; anything else in the table is a mismatch too. */
function compareTable(
  expected: ReadonlyMap<string, ExpectedOrder>,
  tableItems: ReconcileInput["tableItems"],
): string[] {
  const mismatches: string[] = [];
  const actual = new Map<string, Record<string, unknown>>();
  for (const item of tableItems) {
    const { pk, sk, ...fields } = unmarshall(item);
    const orderId =
      typeof pk === "string" && pk.startsWith("ORDER#") && sk === "METADATA" ? pk.slice("ORDER#".length) : undefined;
    if (orderId === undefined) mismatches.push(`unexpected item pk=${String(pk)} sk=${String(sk)}`);
    else actual.set(orderId, fields);
  }
  for (const [orderId, order] of expected) {
    const found = actual.get(orderId);
    if (found === undefined) {
      mismatches.push(`${orderId}: missing from the table`);
      continue;
    }
    const { orderId: _, ...want } = order;
    for (const field of new Set([...Object.keys(want), ...Object.keys(found)])) {
      const wanted = (want as Record<string, unknown>)[field];
      if (!isDeepStrictEqual(found[field], wanted)) {
        mismatches.push(
          `${orderId}: ${field} is ${JSON.stringify(found[field]) ?? "missing"}, expected ${JSON.stringify(wanted) ?? "none"}`,
        );
      }
    }
  }
  for (const orderId of actual.keys())
    if (!expected.has(orderId)) mismatches.push(`${orderId}: in the table but not expected`);
  return mismatches;
}

export function formatReconciliation(r: Reconciliation): string {
  const reasons = Object.entries(r.deadLetterReasons)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  const lines = [
    `messages sent:      ${r.sent}`,
    `applied:            ${r.applied} (logged outcome)`,
    `duplicates ignored: ${r.duplicatesIgnored}`,
    `dead-lettered:      ${r.deadLettered} (${r.deadLetteredWithReason} with the expected reason${reasons ? `; ${reasons}` : ""})`,
    ...(r.archive
      ? [
          `archived:           ${r.archive.archived} (${r.archive.leftInDeadLetterQueue} left in the DLQ; ${r.archive.alerts} alerts counting ${r.archive.alertedDeadLetters})`,
        ]
      : []),
    `filtered:           ${r.filtered} (expected ${r.filteredExpected})`,
    `lost:               ${r.lost}`,
    `duplicated effects: ${r.duplicatedEffects}`,
    `table:              ${r.expectedOrders} orders expected, ${r.stateMismatchCount} mismatches`,
    ...[...r.stateMismatches, ...r.wrongReasons, ...r.unexpectedDeadLetters, ...(r.archive?.unreadable ?? [])]
      .slice(0, MAX_LISTED_MISMATCHES)
      .map((problem) => `  - ${problem}`),
    r.ok ? "OK" : "NOT OK",
  ];
  return lines.join("\n");
}
