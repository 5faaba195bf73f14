import { request as httpRequest } from "node:http";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sendMessages } from "../../functions/runtime/index.js";
import type { OrderStream, StreamMessage } from "../run/order-stream.js";
import { LOCAL_CREDENTIALS } from "../servers/local-servers.js";
import {
  type LogLine,
  linesSaying,
  reconcileAgain,
  runWithInspection,
  type ScenarioOptions,
  type ScenarioReport,
  streamOf,
} from "./run-support.js";
import { DEV } from "./stacks.js";

/** The dev queue's (and DLQ's) MaximumMessageSize: 256 KiB. */
export const MAX_MESSAGE_BYTES = 262_144;
const TIMESTAMP = "2026-03-01T10:00:00.000Z";
const NESTING = 10_000;

/** What became of one edge case. */
export type EdgeOutcome =
  /** Never entered the queue: the producer (or SQS) refused it, with this code and reason. */
  | { readonly kind: "refused"; readonly code: string }
  /** Its order is in the table. */
  | { readonly kind: "applied" }
  /** In the DLQ; `reasonOnCopy` false when the copy had no room for the dlq-reason attribute (the reason is then logged). */
  | { readonly kind: "dead-lettered"; readonly reason: string; readonly reasonOnCopy: boolean }
  /** Reported failed for a retry, or not accounted for at all: neither should happen. */
  | { readonly kind: "retried" | "unaccounted" };

export interface EdgeCase {
  readonly name: string;
  readonly what: string;
  /**
   * `producer`: the library's sendMessages, checks included; `send-message`: one SendMessage call,
   * no checks; `raw-bytes`: an HTTP request whose bytes are not valid UTF-8, which no SDK can send.
   */
  readonly via: "producer" | "send-message" | "raw-bytes";
  /** The body as sent (for raw-bytes: as the server decodes it). */
  readonly body: string;
  /** raw-bytes only: the body with "@@" where `rawBytes` go. */
  readonly rawTemplate?: string;
  readonly rawBytes?: Buffer;
  readonly orderId: string;
  readonly correlationId?: string;
  /** What the suite expects, documented per case. */
  readonly expected: EdgeOutcome;
}

export interface EdgeResult {
  readonly name: string;
  readonly what: string;
  readonly outcome: EdgeOutcome;
  /** The producer's or server's reason for a refusal, the function's error for a dead letter. */
  readonly detail: string;
  readonly messageId?: string;
}

export interface EdgeInputReport extends ScenarioReport {
  readonly cases: readonly EdgeResult[];
  /** Items of applied edge orders as stored, by order id (raw attribute values, numbers as their strings). */
  readonly storedItems: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const item = { sku: "sku-mug", quantity: 1, unit_price: 15.75 };

function created(
  orderId: string,
  correlationId: string,
  data: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    type: "order_created",
    data: { order_id: orderId, customer_id: "cust-edge", items: [item], total: 15.75, ...data },
    timestamp: TIMESTAMP,
    correlation_id: correlationId,
    ...extra,
  };
}

/** JSON of `event` with an extra top-level `padding` string making it exactly `bytes` long in UTF-8. */
function paddedTo(bytes: number, event: object): string {
  const bare = Buffer.byteLength(JSON.stringify({ ...event, padding: "" }), "utf8");
  const body = JSON.stringify({ ...event, padding: "x".repeat(bytes - bare) });
  if (Buffer.byteLength(body, "utf8") !== bytes)
    throw new Error(`padding went wrong: ${Buffer.byteLength(body, "utf8")} bytes`);
  return body;
}

/** A JSON text with `literal` where JSON.stringify would have written `placeholder` (a number JS cannot hold, say). */
const withLiteral = (event: object, placeholder: number, literal: string) => {
  const json = JSON.stringify(event);
  if (!json.includes(String(placeholder))) throw new Error(`placeholder ${placeholder} not found`);
  return json.replace(String(placeholder), literal);
};

/** Non-ASCII characters written as \uXXXX escapes: the body is ASCII, the parsed text the same. */
const escapeNonAscii = (json: string) =>
  json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** `id` padded with "x" to exactly `length` UTF-16 code units (what valibot's maxLength counts). */
const idOfLength = (prefix: string, length: number) => prefix + "x".repeat(length - prefix.length);

/** The edge cases, in the order they are sent; the canary goes last. */
export function edgeCases(): EdgeCase[] {
  const cases: EdgeCase[] = [];
  const add = (edge: Omit<EdgeCase, "correlationId"> & { correlationId?: string }) => cases.push(edge);
  const applied = { kind: "applied" } as const;
  const dead = (reason: string, reasonOnCopy = true) => ({ kind: "dead-lettered", reason, reasonOnCopy }) as const;

  add({
    name: "empty body (producer)",
    what: "a 0-byte body given to the producer",
    via: "producer",
    body: "",
    orderId: "",
    expected: { kind: "refused", code: "empty-body" },
  });
  add({
    name: "empty body (SendMessage)",
    what: "a 0-byte body sent straight to SQS, bypassing the producer's checks",
    via: "send-message",
    body: "",
    orderId: "",
    expected: { kind: "refused", code: "AWS.SimpleQueueService.MissingParameter" },
  });

  const maxValid = "edge-max-size-valid";
  add({
    name: "valid order at the maximum size",
    what: `an order_created padded (unknown top-level field) to exactly ${MAX_MESSAGE_BYTES} bytes`,
    via: "producer",
    body: paddedTo(MAX_MESSAGE_BYTES, created(maxValid, `corr-${maxValid}`)),
    orderId: maxValid,
    correlationId: `corr-${maxValid}`,
    expected: applied,
  });
  const maxPoison = "edge-max-size-poison";
  add({
    name: "poison at the maximum size",
    what: `an order_created with a negative total, padded to exactly ${MAX_MESSAGE_BYTES} bytes: its DLQ copy has no room for the reason attributes`,
    via: "producer",
    body: paddedTo(MAX_MESSAGE_BYTES, created(maxPoison, `corr-${maxPoison}`, { total: -1 })),
    orderId: maxPoison,
    correlationId: `corr-${maxPoison}`,
    expected: dead("schema-violation", false),
  });
  add({
    name: "one byte over the maximum",
    what: `a valid order padded to ${MAX_MESSAGE_BYTES + 1} bytes: the producer sends it (its own limit is a 1 MiB request), SQS refuses it`,
    via: "producer",
    body: paddedTo(MAX_MESSAGE_BYTES + 1, created("edge-over-max", "corr-edge-over-max")),
    orderId: "edge-over-max",
    expected: { kind: "refused", code: "InvalidParameterValue" },
  });

  const loneRaw = JSON.stringify(created("edge-lone-surrogate-@@", "corr-edge-lone-raw")).replace("@@", "\ud800");
  add({
    name: "lone surrogate in the body",
    what: "a body holding an unpaired UTF-16 surrogate (U+D800), which has no UTF-8 encoding",
    via: "producer",
    body: loneRaw,
    orderId: "edge-lone-surrogate-\ud800",
    expected: { kind: "refused", code: "InvalidMessageContents" },
  });
  const loneEscaped = "edge-lone-surrogate-\ud800-escaped";
  add({
    name: "lone surrogate as a JSON escape",
    what: "an order id holding U+D800 written as the escape \\ud800 (what JSON.stringify writes): the body is ASCII, so SQS takes it; the parsed id is not well-formed Unicode: poison",
    via: "producer",
    body: JSON.stringify(created(loneEscaped, "corr-edge-lone-escaped")),
    orderId: loneEscaped,
    correlationId: "corr-edge-lone-escaped",
    expected: dead("schema-violation"),
  });
  const invalidUtf8Id = "edge-invalid-utf8-\ufffd(\ufffd";
  const invalidUtf8Body = JSON.stringify(created("edge-invalid-utf8-@@", "corr-edge-invalid-utf8"));
  add({
    name: "invalid UTF-8 bytes",
    what: "an order id holding the bytes C3 28 FF (not UTF-8), sent as raw request bytes",
    via: "raw-bytes",
    // What a UTF-8 decoder (fauxqs's) makes of the bytes: each invalid sequence becomes U+FFFD.
    body: invalidUtf8Body.replace("@@", "\ufffd(\ufffd"),
    rawTemplate: invalidUtf8Body,
    rawBytes: Buffer.from([0xc3, 0x28, 0xff]),
    orderId: invalidUtf8Id,
    correlationId: "corr-edge-invalid-utf8",
    expected: applied,
  });
  add({
    name: "emoji in the body",
    what: "an order id holding U+1F600 as raw text (a surrogate pair in the body)",
    via: "producer",
    body: JSON.stringify(created("edge-emoji-\u{1f600}", "corr-edge-emoji-raw")),
    orderId: "edge-emoji-\u{1f600}",
    // fauxqs 1.9.2 refuses characters above U+FFFF; SQS allows #x10000-#x10FFFF and would apply it.
    expected: { kind: "refused", code: "InvalidMessageContents" },
  });
  const emojiEscaped = "edge-emoji-\u{1f600}-escaped";
  add({
    name: "emoji as JSON escapes",
    what: "the same order id written as \\ud83d\\ude00: the body is ASCII",
    via: "producer",
    body: escapeNonAscii(JSON.stringify(created(emojiEscaped, "corr-edge-emoji-escaped"))),
    orderId: emojiEscaped,
    correlationId: "corr-edge-emoji-escaped",
    expected: applied,
  });

  add({
    name: "10,000 nested arrays",
    what: `a body of ${NESTING} nested JSON arrays: valid JSON, no type`,
    via: "producer",
    body: "[".repeat(NESTING) + "]".repeat(NESTING),
    orderId: "(none)",
    expected: dead("unknown-type"),
  });
  add({
    name: "10,000 levels in data",
    what: `an order_created whose data is ${NESTING} nested arrays`,
    via: "producer",
    body: JSON.stringify({ ...created("edge-deep-data", "corr-edge-deep-data"), data: "@@" }).replace(
      '"@@"',
      "[".repeat(NESTING) + "]".repeat(NESTING),
    ),
    orderId: "edge-deep-data",
    correlationId: "corr-edge-deep-data",
    expected: dead("schema-violation"),
  });
  add({
    name: "10,000 levels in an unknown field",
    what: `a valid order_created with an extra field of ${NESTING} nested objects (the schema drops unknown fields)`,
    via: "producer",
    body: JSON.stringify(created("edge-deep-extra", "corr-edge-deep-extra", {}, { extra: "@@" })).replace(
      '"@@"',
      `${'{"a":'.repeat(NESTING)}0${"}".repeat(NESTING)}`,
    ),
    orderId: "edge-deep-extra",
    correlationId: "corr-edge-deep-extra",
    expected: applied,
  });

  add({
    name: "total 1e400",
    what: "total written as 1e400: JSON.parse reads Infinity",
    via: "producer",
    body: withLiteral(created("edge-total-1e400", "corr-edge-total-1e400", { total: 123.456 }), 123.456, "1e400"),
    orderId: "edge-total-1e400",
    correlationId: "corr-edge-total-1e400",
    expected: dead("schema-violation"),
  });
  add({
    name: "quantity 2^64",
    what: "an item quantity of 18446744073709551616 (above the schema's 100,000)",
    via: "producer",
    body: withLiteral(
      created("edge-quantity-2p64", "corr-edge-quantity-2p64", { items: [{ sku: "sku-mug", quantity: 7777 }] }),
      7777,
      "18446744073709551616",
    ),
    orderId: "edge-quantity-2p64",
    correlationId: "corr-edge-quantity-2p64",
    expected: dead("schema-violation"),
  });
  add({
    name: "total 2^64",
    what: "a total of 18446744073709551616: valid, but JSON.parse rounds it to the nearest double",
    via: "producer",
    body: withLiteral(
      created("edge-total-2p64", "corr-edge-total-2p64", { total: 123.456 }),
      123.456,
      "18446744073709551616",
    ),
    orderId: "edge-total-2p64",
    correlationId: "corr-edge-total-2p64",
    expected: applied,
  });
  add({
    name: "total 1e200",
    what: "a total of 1e200: valid JSON and schema, beyond DynamoDB's number range (1E+126)",
    via: "producer",
    body: withLiteral(created("edge-total-1e200", "corr-edge-total-1e200", { total: 123.456 }), 123.456, "1e200"),
    orderId: "edge-total-1e200",
    correlationId: "corr-edge-total-1e200",
    expected: dead("rejected-by-table"),
  });

  const duplicateKeys =
    `{"type":"order_updated","data":{"order_id":"edge-duplicate-keys","status":"shipped"},` +
    `"type":"order_created","data":${JSON.stringify(created("edge-duplicate-keys", "x", { customer_id: "cust-last" }).data)},` +
    `"timestamp":"${TIMESTAMP}","correlation_id":"corr-edge-duplicate-keys-first","correlation_id":"corr-edge-duplicate-keys"}`;
  add({
    name: "duplicate keys",
    what: "type, data and correlation_id each given twice: JSON.parse keeps the last (an order_created for cust-last)",
    via: "producer",
    body: duplicateKeys,
    orderId: "edge-duplicate-keys",
    correlationId: "corr-edge-duplicate-keys",
    expected: applied,
  });

  const oddId = idOfLength(`Zoë "O'Brien" #42 ☃ 中文 \\ / spaces  `, 200);
  add({
    name: "odd order id, 200 characters",
    what: "an order id with unicode, quotes, a backslash, '#' and spaces, exactly 200 characters",
    via: "producer",
    body: JSON.stringify(created(oddId, "corr-edge-odd-id")),
    orderId: oddId,
    correlationId: "corr-edge-odd-id",
    expected: applied,
  });
  const longId = idOfLength("edge-201-", 201);
  add({
    name: "order id of 201 characters",
    what: "one character over the schema's 200",
    via: "producer",
    body: JSON.stringify(created(longId, "corr-edge-201")),
    orderId: longId,
    correlationId: "corr-edge-201",
    expected: dead("schema-violation"),
  });
  add({
    name: "canary",
    what: "a normal order sent after every other case",
    via: "producer",
    body: JSON.stringify(created("edge-canary", "corr-edge-canary")),
    orderId: "edge-canary",
    correlationId: "corr-edge-canary",
    expected: applied,
  });
  return cases;
}

/** How each case was sent: its message id, or why it never entered the queue. */
type Sent = { readonly messageId: string } | { readonly refused: { readonly code: string; readonly reason: string } };

/**
 * Bad input at the edges, with no filter in front of the function (`filterPatterns: []`): a small
 * order stream flows while each edge case is sent; afterwards every case is applied, in the DLQ
 * with a clear reason, or refused at the send with one, and the pipeline still applies a normal
 * order sent after them. The stream and the sent cases are reconciled together.
 */
export async function edgeInputScenario(options: ScenarioOptions = {}): Promise<EdgeInputReport> {
  const settings = { count: options.count ?? 30, poisonShare: 0.1, transientShare: 0, seed: options.seed ?? 7 };
  const cases = edgeCases();
  const sent = new Map<string, Sent>();
  const { report, inspection, logs } = await runWithInspection({
    environment: DEV,
    ...settings,
    injectTransientFaults: false,
    overrides: { filterPatterns: [] },
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    scenario: async (controls) => {
      const queueUrl = controls.pipeline.queue.url;
      const client = new SQSClient({
        endpoint: new URL(queueUrl).origin,
        region: "us-east-1",
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 1,
      });
      try {
        const canary = cases.at(-1);
        if (!canary) throw new Error("the edge cases end with a canary, and there are none");
        for (const edge of cases.slice(0, -1)) sent.set(edge.name, await send(client, queueUrl, edge));
        // The canary once every case has been handled: the pipeline must still be running.
        await controls.until(
          (progress) => progress.sent === progress.total && progress.queued + progress.inFlight === 0,
        );
        sent.set(canary.name, await send(client, queueUrl, canary));
      } finally {
        client.destroy();
      }
    },
  });

  const results = cases.map((edge) => outcomeOf(edge, sent.get(edge.name), logs, inspection));
  // The stream plus every case that entered the queue, reconciled together. The 2^64 total is
  // checked on its raw item instead: the reconciliation reads numbers as JavaScript numbers.
  const stream = streamOf(settings);
  const unsafeNumbers = new Set(["edge-total-2p64"]);
  const entered = cases.filter((edge) => {
    const s = sent.get(edge.name);
    return s !== undefined && "messageId" in s;
  });
  const combined: OrderStream = {
    ...stream,
    messages: [...stream.messages, ...entered.filter((edge) => !unsafeNumbers.has(edge.orderId)).map(toStreamMessage)],
  };
  const tableItems = inspection.tableItems.filter(
    (entry) => !unsafeNumbers.has((entry.pk?.S ?? "").replace(/^ORDER#/, "")),
  );
  const deadLetters = inspection.deadLetters;
  const reconciliation = reconcileAgain({
    stream: combined,
    inspection: { deadLetters, tableItems },
    deadLetters,
    logs,
    filtered: 0,
    filterActive: false,
  });
  const refused = [...sent.values()].filter((s) => "refused" in s).length;
  const storedItems: Record<string, Record<string, unknown>> = {};
  for (const entry of inspection.tableItems) {
    const orderId = (entry.pk?.S ?? "").replace(/^ORDER#/, "");
    if (cases.some((edge) => edge.orderId === orderId)) storedItems[orderId] = entry;
  }
  return {
    ...report,
    scenario: "edge input",
    messages: report.messages + cases.length,
    sendFailures: report.sendFailures + refused,
    reconciliation,
    cases: results,
    storedItems,
  };
}

async function send(client: SQSClient, queueUrl: string, edge: EdgeCase): Promise<Sent> {
  if (edge.via === "producer") {
    const [result] = await sendMessages(client, queueUrl, [{ body: edge.body }], { maxAttempts: 1 });
    if (result?.status === "sent") return { messageId: result.messageId };
    return { refused: { code: result?.code ?? "no-result", reason: result?.reason ?? "the producer gave no result" } };
  }
  if (edge.via === "send-message") {
    try {
      const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: edge.body }));
      if (!MessageId) return { refused: { code: "no-message-id", reason: "SQS accepted the message without an id" } };
      return { messageId: MessageId };
    } catch (error) {
      return { refused: { code: (error as Error).name, reason: (error as Error).message } };
    }
  }
  return sendRawBytes(queueUrl, edge);
}

/** SendMessage as raw request bytes, `edge.rawBytes` where the body says "@@": what a non-SDK client could send. */
async function sendRawBytes(queueUrl: string, edge: EdgeCase): Promise<Sent> {
  const template = JSON.stringify({ QueueUrl: queueUrl, MessageBody: edge.rawTemplate });
  const [before, after] = template.split("@@") as [string, string];
  if (!edge.rawBytes) throw new Error(`edge case "${edge.name}" is sent as raw bytes but has none`);
  const payload = Buffer.concat([Buffer.from(before), edge.rawBytes, Buffer.from(after)]);
  const url = new URL(queueUrl);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: url.port,
        method: "POST",
        path: "/",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "AmazonSQS.SendMessage",
          "content-length": payload.length,
          authorization:
            "AWS4-HMAC-SHA256 Credential=local/20260301/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
  const answer = JSON.parse(text) as { MessageId?: string; __type?: string; message?: string };
  if (status === 200 && answer.MessageId) return { messageId: answer.MessageId };
  return { refused: { code: answer.__type ?? `HTTP ${status}`, reason: answer.message ?? text } };
}

function toStreamMessage(edge: EdgeCase): StreamMessage {
  const poison = edge.expected.kind === "dead-lettered";
  return {
    message: { body: edge.body },
    kind: poison ? "poison" : "create",
    orderId: edge.orderId,
    ...(edge.correlationId !== undefined ? { correlationId: edge.correlationId } : {}),
    // The reason its DLQ copy must carry: none when the copy had no room for it.
    ...(poison && edge.expected.kind === "dead-lettered" && edge.expected.reasonOnCopy
      ? { poisonReason: edge.expected.reason }
      : {}),
    passesFilter: true,
  };
}

function outcomeOf(
  edge: EdgeCase,
  sent: Sent | undefined,
  logs: readonly LogLine[],
  inspection: {
    deadLetters: readonly { messageId: string; reason?: string }[];
    tableItems: readonly Record<string, { S?: string }>[];
  },
): EdgeResult {
  const base = { name: edge.name, what: edge.what };
  if (sent === undefined) return { ...base, outcome: { kind: "unaccounted" }, detail: "never sent" };
  if ("refused" in sent)
    return { ...base, outcome: { kind: "refused", code: sent.refused.code }, detail: sent.refused.reason };
  const lines = logs.filter((line) => line.messageId === sent.messageId);
  const deadLettered = linesSaying(lines, "poison message sent to the dead-letter queue")[0];
  if (deadLettered) {
    const copy = inspection.deadLetters.find((letter) => letter.messageId === deadLettered.deadLetterMessageId);
    const reason = String(deadLettered.reason);
    return {
      ...base,
      messageId: sent.messageId,
      outcome: copy ? { kind: "dead-lettered", reason, reasonOnCopy: copy.reason === reason } : { kind: "unaccounted" },
      detail: String(deadLettered.error),
    };
  }
  const inTable = inspection.tableItems.some((entry) => entry.pk?.S === `ORDER#${edge.orderId}`);
  const outcomeLine = lines.find((line) => typeof line.orderId === "string");
  if (outcomeLine && inTable)
    return { ...base, messageId: sent.messageId, outcome: { kind: "applied" }, detail: String(outcomeLine.message) };
  const failed = lines.find((line) => String(line.message).includes("will retry"));
  return {
    ...base,
    messageId: sent.messageId,
    outcome: { kind: failed ? "retried" : "unaccounted" },
    detail: failed ? JSON.stringify(failed.error) : "no outcome logged",
  };
}
