import { describe, expect, it } from "vitest";
import {
  type ArchivedDeadLetter,
  ArchivedDeadLetterFormatError,
  archiveKey,
  DEFAULT_ARCHIVE_PREFIX,
  parseArchivedDeadLetter,
} from "../../../../functions/runtime/archive/dead-letter-record.js";

const LETTER: ArchivedDeadLetter = {
  format: "queue-processor/dead-letter@1",
  messageId: "0b6f4a1e-1111-4e6b-9b7a-2f1d7c3e9a10",
  sourceMessageId: "5d2c9f3a-2222-4c1d-8e9f-6a7b8c9d0e1f",
  reason: "schema-violation",
  body: '{"type":"order_created"}',
  attributes: { SentTimestamp: "1795950000000", ApproximateReceiveCount: "1" },
  messageAttributes: {
    "dlq-reason": { dataType: "String", stringValue: "schema-violation" },
    blob: { dataType: "Binary", binaryValue: "AAEC/w==" },
    priority: { dataType: "Number.int", stringValue: "7" },
  },
  sourceQueueArn: "arn:aws:sqs:eu-west-1:123456789012:orders-prod-queue",
  deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:orders-prod-dlq",
  sentAt: "2026-11-30T10:20:00.000Z",
  archivedAt: "2026-11-30T10:20:01.250Z",
};
const KEY = archiveKey(DEFAULT_ARCHIVE_PREFIX, LETTER);

/** The letter as JSON with one field changed (undefined removes it). */
function edited(field: string, value: unknown): string {
  return JSON.stringify({ ...LETTER, [field]: value });
}

describe("parseArchivedDeadLetter", () => {
  it("reads back what the archiver writes, with and without the optional fields, under any prefix", () => {
    expect(KEY).toBe(`dead-letters/orders-prod-dlq/2026/11/30/${LETTER.messageId}.json`);
    expect(parseArchivedDeadLetter(JSON.stringify(LETTER), KEY)).toEqual(LETTER);
    const { sourceMessageId: _a, sourceQueueArn: _b, ...bare } = LETTER;
    expect(parseArchivedDeadLetter(JSON.stringify({ ...bare, messageAttributes: {} }), KEY)).toEqual({
      ...bare,
      messageAttributes: {},
    });
    for (const prefix of ["", "archive/", "a/b/c/"]) {
      expect(parseArchivedDeadLetter(JSON.stringify(LETTER), archiveKey(prefix, LETTER)).messageId).toBe(
        LETTER.messageId,
      );
    }
    const fifo = { ...LETTER, deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:orders-prod-dlq.fifo" };
    expect(parseArchivedDeadLetter(JSON.stringify(fifo), archiveKey("", fifo)).deadLetterQueueArn).toMatch(/\.fifo$/);
  });

  it.each([
    ["not JSON", "{", /\(the object\) is not JSON/],
    ["an array", "[]", /\(the object\) must be a JSON object \(got an (empty )?array/],
    ["null", "null", /\(the object\) must be a JSON object \(got null\)/],
    ["a string", '"text"', /\(the object\) must be a JSON object/],
    [
      "another format",
      edited("format", "queue-processor/dead-letter@2"),
      /format must be "queue-processor\/dead-letter@1" \(got "queue-processor\/dead-letter@2"\)/,
    ],
    ["no format", edited("format", undefined), /format must be/],
    ["an unknown field", edited("extra", 1), /extra is not a field of queue-processor\/dead-letter@1/],
    ["no messageId", edited("messageId", undefined), /messageId must be a string \(got nothing\)/],
    ["an empty messageId", edited("messageId", ""), /messageId must not be empty/],
    ["a numeric reason", edited("reason", 42), /reason must be a string \(got 42\)/],
    ["an empty reason", edited("reason", ""), /reason must not be empty/],
    ["no body", edited("body", undefined), /body must be a string/],
    ["an empty sourceMessageId", edited("sourceMessageId", ""), /sourceMessageId must not be empty/],
    [
      "a topic as source queue",
      edited("sourceQueueArn", "arn:aws:sns:eu-west-1:123456789012:t"),
      /sourceQueueArn must be an SQS queue ARN/,
    ],
    [
      "a bad dead-letter queue ARN",
      edited("deadLetterQueueArn", "orders-prod-dlq"),
      /deadLetterQueueArn must be an SQS queue ARN \(got "orders-prod-dlq"\)/,
    ],
    ["a date without time", edited("sentAt", "2026-11-30"), /sentAt must be an ISO 8601 UTC time/],
    [
      "an offset time",
      edited("archivedAt", "2026-11-30T10:20:01.250+01:00"),
      /archivedAt must be an ISO 8601 UTC time/,
    ],
    ["a day that does not exist", edited("sentAt", "2026-02-30T10:20:00.000Z"), /sentAt must be a time that exists/],
    ["attributes as an array", edited("attributes", []), /attributes must be an object \(got an (empty )?array/],
    [
      "a numeric attribute",
      edited("attributes", { SentTimestamp: 1 }),
      /attributes\.SentTimestamp must be a string \(got 1\)/,
    ],
    [
      "a message attribute that is a string",
      edited("messageAttributes", { a: "x" }),
      /messageAttributes\.a must be an object/,
    ],
    [
      "an unknown data type",
      edited("messageAttributes", { a: { dataType: "Json", stringValue: "x" } }),
      /messageAttributes\.a\.dataType must be String, Number or Binary/,
    ],
    [
      "a message attribute with both values",
      edited("messageAttributes", { a: { dataType: "String", stringValue: "x", binaryValue: "AA==" } }),
      /messageAttributes\.a must have exactly one of stringValue and binaryValue/,
    ],
    [
      "a message attribute with no value",
      edited("messageAttributes", { a: { dataType: "String" } }),
      /messageAttributes\.a must have exactly one/,
    ],
    [
      "binary that is not base64",
      edited("messageAttributes", { a: { dataType: "Binary", binaryValue: "not base64!" } }),
      /messageAttributes\.a\.binaryValue must be base64 text/,
    ],
    [
      "an extra key in a message attribute",
      edited("messageAttributes", { a: { dataType: "String", stringValue: "x", stringListValues: [] } }),
      /messageAttributes\.a\.stringListValues is not a field of a message attribute/,
    ],
  ])("refuses %s, naming the key and the field", (_, text, message) => {
    expect(() => parseArchivedDeadLetter(text, KEY)).toThrow(message);
    expect(() => parseArchivedDeadLetter(text, KEY)).toThrow(ArchivedDeadLetterFormatError);
    expect(() => parseArchivedDeadLetter(text, KEY)).toThrow(`archived dead letter ${KEY}: `);
  });

  it("refuses an object stored under a key its contents do not give: another message id, queue or day", () => {
    const cases: [string, string][] = [
      [JSON.stringify({ ...LETTER, messageId: "other-id" }), KEY],
      [JSON.stringify(LETTER), KEY.replace("orders-prod-dlq", "orders-dev-dlq")],
      [JSON.stringify(LETTER), KEY.replace("2026/11/30", "2026/11/29")],
      [JSON.stringify(LETTER), "dead-letters/copy.json"],
    ];
    for (const [text, key] of cases) {
      expect(() => parseArchivedDeadLetter(text, key)).toThrow(
        new RegExp(`archived dead letter ${key.replaceAll(".", "\\.")}: \\(the key\\) does not match the contents`),
      );
    }
  });

  it("keeps its errors one line whatever the object holds (a 1 MB reason of the wrong type, a deep value)", () => {
    // Written as text: JSON.stringify itself recurses, JSON.parse does not.
    const deep = `${"[".repeat(100_000)}"x"${"]".repeat(100_000)}`;
    for (const value of [
      JSON.stringify(["y".repeat(1_000_000)]),
      deep,
      JSON.stringify({ nested: "z".repeat(1_000_000) }),
    ]) {
      const error = (() => {
        try {
          parseArchivedDeadLetter(JSON.stringify({ ...LETTER, reason: "\u0000" }).replace('"\\u0000"', value), KEY);
        } catch (caught) {
          return caught as Error;
        }
      })();
      expect(error?.message).toMatch(/reason must be a string/);
      expect(error?.message.length).toBeLessThan(400);
    }
  });
});
