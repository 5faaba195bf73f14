import {
  type BatchResultErrorEntry,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchRequestEntry,
  type SendMessageBatchResult,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type OutgoingMessage,
  type SendMessagesOptions,
  type SendResult,
  sendMessages,
} from "../../../../functions/runtime/producer/index.js";
import { seededRandom } from "../../../../local/run/seeded-random.js";
import {
  CREDENTIALS,
  createQueuePair,
  type LocalSqs,
  REGION,
  receiveAll,
  startLocalSqs,
} from "../../../support/local-aws.js";

let sqs: LocalSqs;
const clients: SQSClient[] = [];

beforeAll(async () => {
  sqs = await startLocalSqs();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await sqs.stop();
});

/** A client of the local server that records every SendMessageBatch request it makes. */
function recordingClient(): { client: SQSClient; requests: SendMessageBatchCommandInput[] } {
  const client = new SQSClient({ endpoint: sqs.endpoint, region: REGION, credentials: CREDENTIALS });
  clients.push(client);
  const requests: SendMessageBatchCommandInput[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "SendMessageBatchCommand") requests.push(args.input as SendMessageBatchCommandInput);
      return next(args);
    },
    { step: "initialize", name: "recordSendMessageBatch" },
  );
  return { client, requests };
}

type Respond = (
  input: SendMessageBatchCommandInput,
  call: number,
) => SendMessageBatchResult | Promise<SendMessageBatchResult>;

/**
 * A client whose SendMessageBatch never reaches a server: `respond` answers (or throws) in its place,
 * ahead of the SDK's MD5 check and retries, so failures happen exactly when a test wants them.
 */
function mockedClient(respond: Respond): { client: SQSClient; requests: SendMessageBatchCommandInput[] } {
  const client = new SQSClient({ endpoint: "http://127.0.0.1:9", region: REGION, credentials: CREDENTIALS });
  clients.push(client);
  const requests: SendMessageBatchCommandInput[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      const input = args.input as SendMessageBatchCommandInput;
      requests.push(input);
      const output = await respond(input, requests.length);
      return { output: { $metadata: {}, ...output }, response: {} };
    },
    { step: "initialize", priority: "high", name: "mockedSendMessageBatch" },
  );
  return { client, requests };
}

const entries = (input: SendMessageBatchCommandInput): SendMessageBatchRequestEntry[] => input.Entries ?? [];
const bodies = (input: SendMessageBatchCommandInput): string[] =>
  entries(input).map((entry) => entry.MessageBody ?? "");
const accepted = (entry: SendMessageBatchRequestEntry) => ({
  Id: entry.Id,
  MessageId: `id-${entry.MessageBody}`,
  MD5OfMessageBody: "",
});
const rejected = (entry: SendMessageBatchRequestEntry, code: string, senderFault: boolean): BatchResultErrorEntry => ({
  Id: entry.Id,
  Code: code,
  Message: `${code} for ${entry.MessageBody}`,
  SenderFault: senderFault,
});

/** Accepts every entry except those `fails` returns a failure for. */
function answer(
  input: SendMessageBatchCommandInput,
  fails: (entry: SendMessageBatchRequestEntry) => BatchResultErrorEntry | undefined,
): SendMessageBatchResult {
  const Successful = [];
  const Failed = [];
  for (const entry of entries(input)) {
    const failure = fails(entry);
    if (failure === undefined) Successful.push(accepted(entry));
    else Failed.push(failure);
  }
  return { Successful, Failed };
}

const immediate = { sleep: async () => {}, random: () => 0.5 } satisfies SendMessagesOptions;
const fifoMessage = (body: string): OutgoingMessage => ({
  body,
  groupId: body.slice(0, 1),
  deduplicationId: `dedup-${body}`,
});
const statuses = (results: readonly SendResult[]) => results.map((result) => [result.index, result.status]);

/** FIFO groups are read back one message per group per receive on fauxqs, so receive and delete until done. */
async function drainFifo(client: SQSClient, queueUrl: string, count: number, waitMs = 10_000): Promise<Message[]> {
  const received: Message[] = [];
  const until = Date.now() + waitMs;
  while (received.length < count && Date.now() < until) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) continue;
    received.push(...Messages);
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({ Id: `d${index}`, ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return received;
}

function requestBytes(input: SendMessageBatchCommandInput): number {
  return entries(input).reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? "", "utf8"), 0);
}

describe("sendMessages on a real SQS server (fauxqs)", () => {
  it("sends 25 messages to a standard queue in 3 requests; all arrive with their attributes, and every result is sent, in input order", async () => {
    const { queueUrl } = await createQueuePair(sqs.client, "producer-25");
    const { client, requests } = recordingClient();
    const messages: OutgoingMessage[] = Array.from({ length: 25 }, (_, index) => ({
      body: `message ${index}`,
      messageAttributes: { position: { DataType: "Number", StringValue: String(index) } },
    }));

    const results = await sendMessages(client, queueUrl, messages);

    expect(requests).toHaveLength(3);
    expect(requests.map((request) => entries(request).length)).toEqual([10, 10, 5]);
    expect(results.map((result) => result.index)).toEqual(messages.map((_, index) => index));
    expect(results.every((result) => result.status === "sent" && result.attempts === 1)).toBe(true);
    const received = await receiveAll(sqs.client, queueUrl, 25);
    expect(received.map((message) => message.Body).sort()).toEqual(messages.map((message) => message.body).sort());
    for (const message of received) {
      const position = Number(message.MessageAttributes?.position?.StringValue);
      expect(message.Body).toBe(`message ${position}`);
      const result = results[position];
      expect(result?.status === "sent" ? result.messageId : undefined).toBe(message.MessageId);
    }
    for (const request of requests) {
      const ids = entries(request).map((entry) => entry.Id ?? "");
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    }
  });

  it("splits 5 messages of 300 KB into requests of at most maxBatchBytes (1 MiB), and all 5 arrive", async () => {
    const { queueUrl } = await createQueuePair(sqs.client, "producer-large", { maxMessageSizeBytes: 1_048_576 });
    const { client, requests } = recordingClient();
    const messages = Array.from({ length: 5 }, (_, index) => ({ body: String(index).repeat(300 * 1024) }));

    const results = await sendMessages(client, queueUrl, messages, { maxBatchBytes: 1_048_576 });

    expect(requests.length).toBeGreaterThan(1);
    expect(requests.map((request) => entries(request).length)).toEqual([3, 2]);
    for (const request of requests) expect(requestBytes(request)).toBeLessThanOrEqual(1_048_576);
    expect(statuses(results)).toEqual(messages.map((_, index) => [index, "sent"]));
    const received = await receiveAll(sqs.client, queueUrl, 5);
    expect(received.map((message) => message.Body?.slice(0, 1)).sort()).toEqual(["0", "1", "2", "3", "4"]);
  });

  it("fails a message larger than maxBatchBytes, an empty body and a delay above 900 s with attempts 0 and never sends them, while the others of the standard queue arrive", async () => {
    const { queueUrl } = await createQueuePair(sqs.client, "producer-invalid");
    const { client, requests } = recordingClient();
    const messages: OutgoingMessage[] = [
      { body: "first" },
      { body: "x".repeat(2000), messageAttributes: { pad: { DataType: "String", StringValue: "y".repeat(100) } } },
      { body: "second" },
      { body: "" },
      { body: "third", delaySeconds: 901 },
      { body: "fourth", delaySeconds: 0 },
    ];

    const results = await sendMessages(client, queueUrl, messages, { maxBatchBytes: 2048 });

    expect(results[1]).toEqual({
      index: 1,
      status: "failed",
      code: "too-large",
      // 2000 body + "pad" + "String" + 100 value bytes.
      reason: "message is 2109 bytes (body and attributes), more than maxBatchBytes 2048, so no request can carry it",
      attempts: 0,
      senderFault: true,
    });
    expect(results[3]).toMatchObject({
      index: 3,
      status: "failed",
      code: "empty-body",
      attempts: 0,
      senderFault: true,
    });
    expect(results[4]).toMatchObject({
      index: 4,
      status: "failed",
      code: "invalid-delay",
      reason: "delaySeconds must be a whole number between 0 and 900 (got 901)",
      attempts: 0,
    });
    expect(statuses(results)).toEqual([
      [0, "sent"],
      [1, "failed"],
      [2, "sent"],
      [3, "failed"],
      [4, "failed"],
      [5, "sent"],
    ]);
    expect(requests.flatMap(bodies)).toEqual(["first", "second", "fourth"]);
    const received = await receiveAll(sqs.client, queueUrl, 3);
    expect(received.map((message) => message.Body).sort()).toEqual(["first", "fourth", "second"]);
  });

  it("fails a FIFO message without group id (missing-group-id) and one with delaySeconds (invalid-delay) with attempts 0 and never sends them, while the others arrive", async () => {
    const { queueUrl } = await createQueuePair(sqs.client, "producer-fifo-invalid", { fifo: true });
    const { client, requests } = recordingClient();
    const messages: OutgoingMessage[] = [
      fifoMessage("A1"),
      { body: "no group", deduplicationId: "no-group" },
      fifoMessage("B1"),
      { ...fifoMessage("C1"), delaySeconds: 5 },
      fifoMessage("A2"),
    ];

    const results = await sendMessages(client, queueUrl, messages);

    expect(results[1]).toEqual({
      index: 1,
      status: "failed",
      code: "missing-group-id",
      reason: "groupId is required on a FIFO queue, a non-empty string (got undefined)",
      attempts: 0,
      senderFault: true,
    });
    expect(results[3]).toMatchObject({ status: "failed", code: "invalid-delay", attempts: 0 });
    expect(statuses(results)).toEqual([
      [0, "sent"],
      [1, "failed"],
      [2, "sent"],
      [3, "failed"],
      [4, "sent"],
    ]);
    expect(requests.flatMap(bodies)).toEqual(["A1", "B1", "A2"]);
    const received = await drainFifo(sqs.client, queueUrl, 3);
    expect(received.map((message) => message.Body).sort()).toEqual(["A1", "A2", "B1"]);
  });

  it("sends 3 FIFO groups x 5 messages that arrive with their group and deduplication ids, each group in input order", async () => {
    const { queueUrl } = await createQueuePair(sqs.client, "producer-fifo", { fifo: true });
    const { client, requests } = recordingClient();
    const messages: OutgoingMessage[] = [];
    for (let position = 1; position <= 5; position += 1) {
      for (const group of ["A", "B", "C"]) messages.push(fifoMessage(`${group}${position}`));
    }

    const results = await sendMessages(client, queueUrl, messages);

    expect(results.every((result, index) => result.index === index && result.status === "sent")).toBe(true);
    expect(
      requests
        .flatMap(entries)
        .every((entry) => entry.MessageGroupId !== undefined && entry.MessageDeduplicationId !== undefined),
    ).toBe(true);
    const received = await drainFifo(sqs.client, queueUrl, 15);
    expect(received).toHaveLength(15);
    for (const message of received) {
      expect(message.Attributes?.MessageGroupId).toBe(message.Body?.slice(0, 1));
      expect(message.Attributes?.MessageDeduplicationId).toBe(`dedup-${message.Body}`);
    }
    for (const group of ["A", "B", "C"]) {
      const order = received
        .filter((message) => message.Attributes?.MessageGroupId === group)
        .map((message) => message.Body);
      expect(order).toEqual([1, 2, 3, 4, 5].map((position) => `${group}${position}`));
    }
  });
});

describe("sendMessages option validation", () => {
  const cases: ReadonlyArray<{ readonly title: string; readonly options: unknown; readonly message: string }> = [
    {
      title: "maxBatchBytes 0",
      options: { maxBatchBytes: 0 },
      message: "maxBatchBytes must be a whole number between 1024 and 1048576 (got 0)",
    },
    {
      title: "maxBatchBytes above 1 MiB",
      options: { maxBatchBytes: 1_048_577 },
      message: "maxBatchBytes must be a whole number between 1024 and 1048576 (got 1048577)",
    },
    {
      title: "a fractional maxBatchBytes",
      options: { maxBatchBytes: 2048.5 },
      message: "maxBatchBytes must be a whole number between 1024 and 1048576 (got 2048.5)",
    },
    {
      title: "maxAttempts 0",
      options: { maxAttempts: 0 },
      message: "maxAttempts must be a whole number between 1 and 20 (got 0)",
    },
    {
      title: "maxAttempts 21",
      options: { maxAttempts: 21 },
      message: "maxAttempts must be a whole number between 1 and 20 (got 21)",
    },
    {
      title: "maxAttempts given as a string",
      options: { maxAttempts: "3" },
      message: 'maxAttempts must be a whole number between 1 and 20 (got "3")',
    },
    {
      title: "backoff.baseMs 0",
      options: { backoff: { baseMs: 0 } },
      message: "backoff.baseMs must be a whole number between 1 and 15000 (got 0)",
    },
    {
      title: "backoff.maxMs above 15 s",
      options: { backoff: { maxMs: 16_000 } },
      message: "backoff.maxMs must be a whole number between 50 and 15000 (at least backoff.baseMs) (got 16000)",
    },
    {
      title: "backoff.maxMs below backoff.baseMs",
      options: { backoff: { baseMs: 500, maxMs: 100 } },
      message: "backoff.maxMs must be a whole number between 500 and 15000 (at least backoff.baseMs) (got 100)",
    },
    {
      title: "backoff that is not an object",
      options: { backoff: 5 },
      message: "backoff must be an object with baseMs and/or maxMs (got 5)",
    },
    {
      title: "an unknown backoff key",
      options: { backoff: { base: 5 } },
      message: "backoff.base is not a known option (allowed: baseMs, maxMs) (got 5)",
    },
    {
      title: "an unknown option",
      options: { maxBatchSize: 10 },
      message:
        "maxBatchSize is not a known option (allowed: maxBatchBytes, maxAttempts, backoff, fifo, sleep, random) (got 10)",
    },
    {
      title: "fifo that is not a boolean",
      options: { fifo: "yes" },
      message: 'fifo must be true or false (got "yes")',
    },
    {
      title: "sleep that is not a function",
      options: { sleep: 5 },
      message: "sleep must be a function (ms) => Promise<void> (got 5)",
    },
    {
      title: "random that is not a function",
      options: { random: 0.5 },
      message: "random must be a function returning a number from 0 to below 1 (got 0.5)",
    },
    { title: "options that are not an object", options: "fast", message: 'options must be an object (got "fast")' },
  ];

  for (const { title, options, message } of cases) {
    it(`rejects ${title} with a TypeError naming the option, the value and what is allowed, before sending anything`, async () => {
      const { client, requests } = mockedClient((input) => answer(input, () => undefined));
      const error = await sendMessages(
        client,
        "https://sqs.local/queue",
        [{ body: "x" }],
        options as SendMessagesOptions,
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).message).toBe(message);
      expect(requests).toHaveLength(0);
    });
  }

  it("rejects an empty queueUrl and messages that are not an array with a TypeError naming the argument and the value", async () => {
    const { client } = mockedClient((input) => answer(input, () => undefined));
    await expect(sendMessages(client, "", [])).rejects.toThrow(
      new TypeError(`queueUrl must be a non-empty string, the queue's URL (got "")`),
    );
    await expect(
      sendMessages(client, "https://sqs.local/queue", "body" as unknown as OutgoingMessage[]),
    ).rejects.toThrow(new TypeError(`messages must be an array of messages (got "body")`));
  });
});

describe("sendMessages retries (mocked SQS, which fails on demand)", () => {
  it("(mocked SQS: partial failure) retries an entry failed with SenderFault false and reports it sent after 2 attempts; the others are not re-sent", async () => {
    const { client, requests } = mockedClient((input, call) =>
      answer(input, (entry) =>
        call === 1 && entry.MessageBody === "b" ? rejected(entry, "InternalError", false) : undefined,
      ),
    );
    const results = await sendMessages(
      client,
      "https://sqs.local/queue",
      [{ body: "a" }, { body: "b" }, { body: "c" }],
      immediate,
    );

    expect(requests.map(bodies)).toEqual([["a", "b", "c"], ["b"]]);
    expect(results).toEqual([
      { index: 0, status: "sent", messageId: "id-a", attempts: 1 },
      { index: 1, status: "sent", messageId: "id-b", attempts: 2 },
      { index: 2, status: "sent", messageId: "id-c", attempts: 1 },
    ]);
  });

  it("(mocked SQS: sender fault) fails an entry with SenderFault true at once, with SQS's code and message, and never retries it", async () => {
    const { client, requests } = mockedClient((input) =>
      answer(input, (entry) =>
        entry.MessageBody === "bad" ? rejected(entry, "InvalidMessageContents", true) : undefined,
      ),
    );
    const results = await sendMessages(client, "https://sqs.local/queue", [{ body: "ok" }, { body: "bad" }], immediate);

    expect(requests).toHaveLength(1);
    expect(results[1]).toEqual({
      index: 1,
      status: "failed",
      code: "InvalidMessageContents",
      reason: "InvalidMessageContents for bad",
      attempts: 1,
      senderFault: true,
    });
    expect(results[0]).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("(mocked SQS: persistent failure) fails an entry with SQS's code once maxAttempts run out, backing off between rounds with a delay that grows and stays under maxMs", async () => {
    const { client, requests } = mockedClient((input) =>
      answer(input, (entry) => rejected(entry, "ServiceUnavailable", false)),
    );
    const delays: number[] = [];
    const results = await sendMessages(client, "https://sqs.local/queue", [{ body: "doomed" }], {
      maxAttempts: 8,
      backoff: { baseMs: 100, maxMs: 1000 },
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });

    expect(requests).toHaveLength(8);
    expect(results).toEqual([
      {
        index: 0,
        status: "failed",
        code: "ServiceUnavailable",
        reason: "ServiceUnavailable for doomed",
        attempts: 8,
        senderFault: false,
      },
    ]);
    // Equal jitter at random 0.5: three quarters of min(maxMs, baseMs * 2^(round-1)).
    expect(delays).toEqual([75, 150, 300, 600, 750, 750, 750]);
  });

  it("(mocked SQS: jitter) keeps every backoff between half and all of min(maxMs, baseMs * 2^(round-1)) for any random value", async () => {
    for (const value of [0, 0.25, 0.999_999]) {
      const { client } = mockedClient((input) =>
        answer(input, (entry) => rejected(entry, "ServiceUnavailable", false)),
      );
      const delays: number[] = [];
      await sendMessages(client, "https://sqs.local/queue", [{ body: "doomed" }], {
        maxAttempts: 10,
        backoff: { baseMs: 30, maxMs: 2000 },
        sleep: async (ms) => {
          delays.push(ms);
        },
        random: () => value,
      });
      delays.forEach((delay, round) => {
        const ceiling = Math.min(2000, 30 * 2 ** round);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      });
    }
  });

  it("(mocked SQS: request throws) retries every entry of a request that threw and reports them sent after 2 attempts", async () => {
    const { client, requests } = mockedClient((input, call) => {
      if (call === 1) throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      return answer(input, () => undefined);
    });
    const results = await sendMessages(client, "https://sqs.local/queue", [{ body: "a" }, { body: "b" }], immediate);

    expect(requests.map(bodies)).toEqual([
      ["a", "b"],
      ["a", "b"],
    ]);
    expect(results).toEqual([
      { index: 0, status: "sent", messageId: "id-a", attempts: 2 },
      { index: 1, status: "sent", messageId: "id-b", attempts: 2 },
    ]);
  });

  it("(mocked SQS: request always throws) fails every entry with the error's name and message once maxAttempts run out", async () => {
    const { client, requests } = mockedClient(() => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { name: "NetworkingError" });
    });
    const results = await sendMessages(client, "https://sqs.local/queue", [{ body: "a" }, { body: "b" }], {
      ...immediate,
      maxAttempts: 3,
    });

    expect(requests).toHaveLength(3);
    for (const [index, result] of results.entries()) {
      expect(result).toEqual({
        index,
        status: "failed",
        code: "NetworkingError",
        reason: "connect ECONNREFUSED 127.0.0.1:9",
        attempts: 3,
        senderFault: false,
      });
    }
  });

  it("(mocked SQS: FIFO partial failure) re-sends A2 and then A3, though A3 had succeeded, with the same deduplication ids, and does not re-send B1", async () => {
    const { client, requests } = mockedClient((input, call) =>
      answer(input, (entry) =>
        call === 1 && entry.MessageBody === "A2" ? rejected(entry, "InternalError", false) : undefined,
      ),
    );
    const messages = ["A1", "A2", "A3", "B1"].map(fifoMessage);
    const results = await sendMessages(client, "https://sqs.local/queue.fifo", messages, immediate);

    expect(requests.map(bodies)).toEqual([
      ["A1", "A2", "A3", "B1"],
      ["A2", "A3"],
    ]);
    expect(entries(requests[1]!).map((entry) => entry.MessageDeduplicationId)).toEqual(["dedup-A2", "dedup-A3"]);
    expect(results).toEqual([
      { index: 0, status: "sent", messageId: "id-A1", attempts: 1 },
      { index: 1, status: "sent", messageId: "id-A2", attempts: 2 },
      { index: 2, status: "sent", messageId: "id-A3", attempts: 2 },
      { index: 3, status: "sent", messageId: "id-B1", attempts: 1 },
    ]);
  });

  it("(mocked SQS: FIFO permanent failure) fails A3 and later A messages as group-blocked and never sends them after A2 fails for good, while group B goes on", async () => {
    // This server keeps a group in order: once an entry fails, the rest of its group in the request fails too.
    const { client, requests } = mockedClient((input) => {
      const failedGroups = new Set<string>();
      return answer(input, (entry) => {
        const group = entry.MessageGroupId ?? "";
        if (entry.MessageBody === "A2" || failedGroups.has(group)) {
          failedGroups.add(group);
          return rejected(entry, "ServiceUnavailable", false);
        }
        return undefined;
      });
    });
    const messages = ["A1", "A2", "A3", "B1", "A4", "B2"].map(fifoMessage);
    const results = await sendMessages(client, "https://sqs.local/queue.fifo", messages, {
      ...immediate,
      maxAttempts: 3,
    });

    // A2's last attempt travels alone, so nothing later of group A is ever sent with or after it.
    expect(requests.map(bodies)).toEqual([["A1", "A2", "A3", "B1", "A4", "B2"], ["A2", "A3", "A4"], ["A2"]]);
    expect(results[1]).toEqual({
      index: 1,
      status: "failed",
      code: "ServiceUnavailable",
      reason: "ServiceUnavailable for A2",
      attempts: 3,
      senderFault: false,
    });
    for (const index of [2, 4]) {
      expect(results[index]).toEqual({
        index,
        status: "failed",
        code: "group-blocked",
        reason:
          'not sent: message 1 of FIFO group "A" failed for good (ServiceUnavailable), and a group\'s later messages are never sent after a failed one',
        attempts: 2,
        senderFault: false,
      });
    }
    expect(statuses(results)).toEqual([
      [0, "sent"],
      [1, "failed"],
      [2, "failed"],
      [3, "sent"],
      [4, "failed"],
      [5, "sent"],
    ]);
  });

  it("(mocked SQS: FIFO last attempt) sends a retry on its last attempt without the later messages of its group, and does not re-send one SQS already accepted once the retry succeeds", async () => {
    const { client, requests } = mockedClient((input, call) =>
      answer(input, (entry) =>
        call === 1 && entry.MessageBody === "A2" ? rejected(entry, "InternalError", false) : undefined,
      ),
    );
    const results = await sendMessages(
      client,
      "https://sqs.local/queue.fifo",
      ["A1", "A2", "A3", "B1"].map(fifoMessage),
      { ...immediate, maxAttempts: 2 },
    );

    expect(requests.map(bodies)).toEqual([["A1", "A2", "A3", "B1"], ["A2"]]);
    expect(results).toEqual([
      { index: 0, status: "sent", messageId: "id-A1", attempts: 1 },
      { index: 1, status: "sent", messageId: "id-A2", attempts: 2 },
      { index: 2, status: "sent", messageId: "id-A3", attempts: 1 },
      { index: 3, status: "sent", messageId: "id-B1", attempts: 1 },
    ]);
  });

  it("(mocked SQS: FIFO sender fault) fails A2 with SQS's code at once and the later A messages as group-blocked, sending none of them again", async () => {
    const { client, requests } = mockedClient((input) => {
      const failedGroups = new Set<string>();
      return answer(input, (entry) => {
        const group = entry.MessageGroupId ?? "";
        if (entry.MessageBody === "A2") {
          failedGroups.add(group);
          return rejected(entry, "InvalidParameterValue", true);
        }
        return failedGroups.has(group) ? rejected(entry, "ServiceUnavailable", false) : undefined;
      });
    });
    const results = await sendMessages(
      client,
      "https://sqs.local/queue.fifo",
      ["A1", "A2", "A3", "B1"].map(fifoMessage),
      immediate,
    );

    expect(requests).toHaveLength(1);
    expect(results[1]).toMatchObject({
      status: "failed",
      code: "InvalidParameterValue",
      senderFault: true,
      attempts: 1,
    });
    expect(results[2]).toMatchObject({ status: "failed", code: "group-blocked", attempts: 1 });
    expect(statuses(results)).toEqual([
      [0, "sent"],
      [1, "failed"],
      [2, "failed"],
      [3, "sent"],
    ]);
  });

  it("(mocked SQS: FIFO entry accepted before a failure) reports A3 sent when SQS accepted it in the request where A2 failed for good, since it is already in the queue", async () => {
    const { client } = mockedClient((input) =>
      answer(input, (entry) =>
        entry.MessageBody === "A2" ? rejected(entry, "InvalidParameterValue", true) : undefined,
      ),
    );
    const results = await sendMessages(
      client,
      "https://sqs.local/queue.fifo",
      ["A1", "A2", "A3"].map(fifoMessage),
      immediate,
    );

    expect(results).toEqual([
      { index: 0, status: "sent", messageId: "id-A1", attempts: 1 },
      {
        index: 1,
        status: "failed",
        code: "InvalidParameterValue",
        reason: "InvalidParameterValue for A2",
        attempts: 1,
        senderFault: true,
      },
      { index: 2, status: "sent", messageId: "id-A3", attempts: 1 },
    ]);
  });

  it("(mocked SQS: FIFO validation) fails later messages of a group as group-blocked, unsent, when an earlier one of the group cannot be sent", async () => {
    const { client, requests } = mockedClient((input) => answer(input, () => undefined));
    const messages = [fifoMessage("A1"), { ...fifoMessage("A2"), body: "" }, fifoMessage("A3"), fifoMessage("B1")];
    const results = await sendMessages(client, "https://sqs.local/queue.fifo", messages, immediate);

    expect(requests.map(bodies)).toEqual([["A1", "B1"]]);
    expect(results[1]).toMatchObject({ status: "failed", code: "empty-body", attempts: 0 });
    expect(results[2]).toMatchObject({ status: "failed", code: "group-blocked", attempts: 0 });
  });

  it("(mocked SQS: concurrency) keeps at most 4 requests in flight on a standard queue", async () => {
    let inFlight = 0;
    let most = 0;
    const { client, requests } = mockedClient(async (input) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return answer(input, () => undefined);
    });
    const messages = Array.from({ length: 100 }, (_, index) => ({ body: `m${index}` }));
    const results = await sendMessages(client, "https://sqs.local/queue", messages, immediate);

    expect(requests).toHaveLength(10);
    expect(most).toBe(4);
    expect(results.every((result) => result.status === "sent")).toBe(true);
  });
});

type ServerModel = "standard" | "fifo-independent" | "fifo-keeps-group-order";

interface FuzzRun {
  readonly messages: OutgoingMessage[];
  readonly results: SendResult[];
  readonly requests: string[][];
  readonly violations: string[];
  /** Body → MessageId of what the fake queue holds; per group, bodies in the order the queue took them. */
  readonly stored: Map<string, string>;
  readonly queued: Map<string, string[]>;
  readonly mostInFlight: number;
}

const indexOf = (body: string): number => Number(body.split(":")[0]);

/**
 * A fake queue behind a mocked client that fails entries and requests at random, checking each request
 * as it arrives: limits, no group in two requests at once, and nothing sent before the earlier
 * messages of its group are in the queue.
 */
async function fuzzRun(seed: number, model: ServerModel): Promise<FuzzRun> {
  const random = seededRandom(seed);
  const fifo = model !== "standard";
  const maxBatchBytes = 1024 + Math.floor(random() * 4096);
  const groups = ["g0", "g1", "g2", "g3"].slice(0, 1 + Math.floor(random() * 4));
  const messages: OutgoingMessage[] = Array.from({ length: Math.floor(random() * 60) }, (_, index) => {
    const roll = random();
    const size = roll < 0.04 ? maxBatchBytes + 10 : roll < 0.07 ? 0 : 1 + Math.floor(random() * 1500);
    const group = groups[Math.floor(random() * groups.length)] ?? "g0";
    const body = size === 0 ? "" : `${index}:${group}:`.padEnd(size, "x");
    if (!fifo) return { body };
    return random() < 0.03
      ? { body, deduplicationId: `d${index}` }
      : { body, groupId: group, deduplicationId: `d${index}` };
  });
  const groupOf = (index: number): string | undefined => messages[index]?.groupId;

  const violations: string[] = [];
  const requests: string[][] = [];
  const stored = new Map<string, string>();
  const queued = new Map<string, string[]>();
  const busy = new Set<string>();
  let inFlight = 0;
  let mostInFlight = 0;
  const { client } = mockedClient(async (input) => {
    const sent = bodies(input);
    requests.push(sent);
    const ids = entries(input).map((entry) => entry.Id ?? "");
    if (sent.length > 10) violations.push(`request of ${sent.length} entries`);
    if (new Set(ids).size !== ids.length || ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id)))
      violations.push(`bad ids ${ids.join(",")}`);
    if (requestBytes(input) > maxBatchBytes) violations.push(`request of ${requestBytes(input)} bytes`);
    const requestGroups = new Set(
      entries(input)
        .map((entry) => entry.MessageGroupId)
        .filter((group) => group !== undefined),
    );
    for (const group of requestGroups) {
      if (busy.has(group)) violations.push(`group ${group} in two requests at once`);
      busy.add(group);
    }
    if (fifo) {
      const inRequest = new Set(sent.map(indexOf));
      for (const index of inRequest) {
        const group = groupOf(index);
        for (let earlier = 0; earlier < index; earlier += 1) {
          const body = messages[earlier]?.body ?? "";
          if (groupOf(earlier) === group && !inRequest.has(earlier) && !stored.has(body)) {
            violations.push(`message ${index} sent before message ${earlier} of group ${group} was in the queue`);
          }
        }
      }
    }
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    for (let turn = Math.floor(random() * 4); turn > 0; turn -= 1)
      await new Promise((resolve) => setImmediate(resolve));
    inFlight -= 1;
    for (const group of requestGroups) busy.delete(group);
    if (random() < 0.05) throw Object.assign(new Error("socket hang up"), { name: "NetworkingError" });
    const failedGroups = new Set<string>();
    return answer(input, (entry) => {
      const group = entry.MessageGroupId ?? "";
      const body = entry.MessageBody ?? "";
      if (model === "fifo-keeps-group-order" && failedGroups.has(group))
        return rejected(entry, "ServiceUnavailable", false);
      const roll = random();
      if (roll < 0.18) {
        failedGroups.add(group);
        return rejected(entry, roll < 0.03 ? "InvalidParameterValue" : "InternalError", roll < 0.03);
      }
      if (fifo && stored.has(body)) return undefined; // deduplicated: the queue keeps the first copy where it was
      if (stored.has(body)) violations.push(`message ${indexOf(body)} accepted twice on a standard queue`);
      stored.set(body, `id-${body}`);
      queued.set(group, [...(queued.get(group) ?? []), body]);
      return undefined;
    });
  });
  const results = await sendMessages(
    client,
    fifo ? "https://sqs.local/fuzz.fifo" : "https://sqs.local/fuzz",
    messages,
    {
      maxBatchBytes,
      maxAttempts: 1 + Math.floor(random() * 5),
      sleep: async () => {},
      random,
    },
  );
  return { messages, results, requests, violations, stored, queued, mostInFlight };
}

describe("sendMessages property test (mocked SQS failing at random, seeded)", () => {
  const models: ReadonlyArray<readonly [ServerModel, string]> = [
    ["standard", "and never re-sends a message the queue accepted"],
    [
      "fifo-independent",
      "and never sends a message before the earlier ones of its group are in the queue or ahead of it in the request",
    ],
    ["fifo-keeps-group-order", "and leaves each group in the queue in input order"],
  ];
  for (const [model, promise] of models) {
    it(`(mocked SQS: random failures, ${model}) returns one result per message in input order with its attempts, keeps requests within 10 entries, maxBatchBytes and 4 in flight, ${promise}`, async () => {
      for (let seed = 1; seed <= 60; seed += 1) {
        const run = await fuzzRun(seed * 7919, model);
        const context = `seed ${seed * 7919}`;
        expect(run.violations, context).toEqual([]);
        expect(run.mostInFlight, context).toBeLessThanOrEqual(4);
        expect(
          run.results.map((result) => result.index),
          context,
        ).toEqual(run.messages.map((_, index) => index));
        for (const result of run.results) {
          const body = run.messages[result.index]?.body ?? "";
          const carried = run.requests.filter((request) => request.includes(body)).length;
          expect(result.attempts, `${context}, message ${result.index}`).toBe(carried);
          if (result.status === "sent") expect(run.stored.get(body), context).toBe(result.messageId);
          else
            expect(run.stored.has(body), `${context}, message ${result.index} failed but is in the queue`).toBe(false);
          if (result.status === "failed" && result.code === "group-blocked") {
            const group = run.messages[result.index]?.groupId;
            const blocker = run.results.find(
              (other) =>
                other.index < result.index &&
                other.status === "failed" &&
                other.code !== "group-blocked" &&
                run.messages[other.index]?.groupId === group,
            );
            expect(blocker, context).toBeDefined();
          }
        }
        if (model === "fifo-keeps-group-order") {
          for (const [group, bodiesInQueue] of run.queued) {
            const expected = run.messages
              .filter((message, index) => message.groupId === group && run.results[index]?.status === "sent")
              .map((message) => message.body);
            expect(bodiesInQueue, `${context}, group ${group}`).toEqual(expected);
          }
        }
      }
    });
  }
});
