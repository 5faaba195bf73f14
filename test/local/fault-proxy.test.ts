import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type FaultProxy, type ProxiedRequest, startFaultProxy } from "../../local/servers/fault-proxy.js";
import {
  CREDENTIALS,
  createOrdersTable,
  createQueuePair,
  type LocalDynamo,
  type LocalSqs,
  type QueuePair,
  REGION,
  receiveAll,
  startLocalDynamo,
  startLocalSqs,
} from "../support/local-aws.js";

const TABLE = "fault-proxy-orders";

let dynamo: LocalDynamo;
let sqs: LocalSqs;
let pair: QueuePair;
let open: { proxies: FaultProxy[]; clients: { destroy(): void }[] } = { proxies: [], clients: [] };

beforeAll(async () => {
  [dynamo, sqs] = await Promise.all([startLocalDynamo(), startLocalSqs()]);
  await createOrdersTable(dynamo.client, TABLE);
  pair = await createQueuePair(sqs.client, "fault-proxy");
});
afterEach(async () => {
  for (const client of open.clients) client.destroy();
  await Promise.all(open.proxies.map((proxy) => proxy.close()));
  open = { proxies: [], clients: [] };
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});
afterAll(async () => {
  await Promise.all([dynamo.stop(), sqs.stop()]);
});

async function proxyTo(upstream: string): Promise<FaultProxy> {
  const proxy = await startFaultProxy(upstream);
  open.proxies.push(proxy);
  return proxy;
}

function dynamoVia(
  proxy: FaultProxy,
  options: Partial<ConstructorParameters<typeof DynamoDBClient>[0]> = {},
): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint: proxy.endpoint, region: REGION, credentials: CREDENTIALS, ...options });
  open.clients.push(client);
  return client;
}

function sqsVia(proxy: FaultProxy): SQSClient {
  const client = new SQSClient({ endpoint: proxy.endpoint, region: REGION, credentials: CREDENTIALS });
  open.clients.push(client);
  return client;
}

const put = (pk: string, note: string) =>
  new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk }, sk: { S: "order" }, note: { S: note } } });
const get = (pk: string) => new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: "order" } } });

/** The key of a DynamoDB item request, as a rule sees it. */
function pkOf(request: ProxiedRequest): string | undefined {
  const body = request.body as { Item?: { pk?: { S?: string } }; Key?: { pk?: { S?: string } } } | undefined;
  return (body?.Item ?? body?.Key)?.pk?.S;
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "ECONNREFUSED" || code === "ECONNRESET";
}

describe("fault proxy: pass-through", () => {
  it("forwards DynamoDB PutItem and GetItem, showing the rule each target and parsed body", async () => {
    const proxy = await proxyTo(dynamo.endpoint);
    const seen: ProxiedRequest[] = [];
    proxy.setRule((request) => {
      seen.push(request);
      return "pass";
    });
    const client = dynamoVia(proxy);

    await client.send(put("p-1", "first"));
    const { Item } = await client.send(get("p-1"));

    expect(Item?.note).toEqual({ S: "first" });
    expect(seen.map((request) => request.target)).toEqual(["DynamoDB_20120810.PutItem", "DynamoDB_20120810.GetItem"]);
    expect(seen.map(pkOf)).toEqual(["p-1", "p-1"]);
    expect(proxy.counts).toEqual({ passed: 2, failed: 0 });
    // Really written upstream, not just answered by the proxy.
    expect((await dynamo.client.send(get("p-1"))).Item?.note).toEqual({ S: "first" });
  });

  it("forwards SQS SendMessage and ReceiveMessage: a client with an endpoint sends there, not to the QueueUrl's host", async () => {
    const proxy = await proxyTo(sqs.endpoint);
    const targets: string[] = [];
    proxy.setRule((request) => {
      targets.push(request.target);
      return "pass";
    });
    const client = sqsVia(proxy);
    // The queue URL names fauxqs's own port, so only the client's endpoint can lead through the proxy.
    expect(new URL(pair.queueUrl).port).toBe(new URL(sqs.endpoint).port);

    await client.send(new SendMessageCommand({ QueueUrl: pair.queueUrl, MessageBody: "via proxy" }));
    const received = await receiveAll(client, pair.queueUrl, 1);

    expect(received.map((message) => message.Body)).toEqual(["via proxy"]);
    expect(targets.slice(0, 2)).toEqual(["AmazonSQS.SendMessage", "AmazonSQS.ReceiveMessage"]);
    expect(proxy.counts.passed).toBe(targets.length);
    expect(proxy.counts.failed).toBe(0);
  });

  it("keeps the client's Host header, so fauxqs names queues created through the proxy with the proxy's port", async () => {
    const proxy = await proxyTo(sqs.endpoint);
    const { QueueUrl } = await sqsVia(proxy).send(new CreateQueueCommand({ QueueName: "fault-proxy-created" }));
    expect(new URL(QueueUrl!).port).toBe(new URL(proxy.endpoint).port);
  });
});

describe("fault proxy: injected failures", () => {
  it("fails PutItem for one key with a retryable 503 while other requests pass", async () => {
    const proxy = await proxyTo(dynamo.endpoint);
    proxy.setRule((request) => (request.target.endsWith(".PutItem") && pkOf(request) === "poison" ? "fail" : "pass"));
    const client = dynamoVia(proxy, { maxAttempts: 3 });

    const error = await client.send(put("poison", "never stored")).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({
      name: "ServiceUnavailable",
      message: "fault-proxy: injected failure",
      $fault: "server",
      $metadata: { httpStatusCode: 503, attempts: 3 },
    });

    await client.send(put("healthy", "stored"));
    expect((await client.send(get("healthy"))).Item?.note).toEqual({ S: "stored" });
    expect((await client.send(get("poison"))).Item).toBeUndefined();
    // Three attempts at the poisoned put failed; the healthy put and both gets passed.
    expect(proxy.counts).toEqual({ passed: 3, failed: 3 });

    proxy.setRule(undefined);
    await client.send(put("poison", "stored after all"));
    expect(proxy.counts).toEqual({ passed: 4, failed: 3 });
  });

  it("fails SQS calls too, with the same error the SDK retries", async () => {
    const proxy = await proxyTo(sqs.endpoint);
    proxy.setRule((request) => (request.target === "AmazonSQS.SendMessage" ? "fail" : "pass"));
    const client = new SQSClient({
      endpoint: proxy.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: 2,
    });
    open.clients.push(client);

    await expect(
      client.send(new SendMessageCommand({ QueueUrl: pair.queueUrl, MessageBody: "lost" })),
    ).rejects.toMatchObject({
      name: "ServiceUnavailable",
      $metadata: { httpStatusCode: 503, attempts: 2 },
    });
    expect(proxy.counts).toEqual({ passed: 0, failed: 2 });
  });
});

describe("fault proxy: outage", () => {
  it("goDown refuses connections, even to a client holding a keep-alive socket; comeBack restores the same endpoint and data", async () => {
    const proxy = await proxyTo(dynamo.endpoint);
    const { endpoint } = proxy;
    const client = dynamoVia(proxy, { maxAttempts: 1, requestHandler: { connectionTimeout: 500 } });
    // Leaves a pooled keep-alive socket in the client, which goDown must cut as well.
    await client.send(put("before-outage", "kept"));

    await proxy.goDown();
    expect(proxy.isDown).toBe(true);
    // The pooled socket was cut under the client: its first call may fail on it (ECONNRESET, "socket hang up")
    // before the client has seen the close, as with a real server stopping; the next one finds nobody listening.
    await expect(client.send(get("before-outage"))).rejects.toSatisfy(isConnectionError);
    await expect(client.send(get("before-outage"))).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await expect(fetch(`${endpoint}/`)).rejects.toThrow();

    await proxy.comeBack();
    expect(proxy.isDown).toBe(false);
    expect(proxy.endpoint).toBe(endpoint);
    expect((await client.send(get("before-outage"))).Item?.note).toEqual({ S: "kept" });
    expect(proxy.counts).toEqual({ passed: 2, failed: 0 });
  });

  it("goDown cuts an SQS long poll in flight; comeBack finds messages sent before the outage", async () => {
    const { queueUrl, deadLetterQueueUrl: emptyQueueUrl } = await createQueuePair(sqs.client, "fault-proxy-outage");
    const proxy = await proxyTo(sqs.endpoint);
    const client = new SQSClient({
      endpoint: proxy.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 500 },
    });
    open.clients.push(client);
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "before outage" }));
    const longPoll = client.send(new ReceiveMessageCommand({ QueueUrl: emptyQueueUrl, WaitTimeSeconds: 10 }));
    await waitFor(() => proxy.counts.passed === 2);

    const startedAt = Date.now();
    await proxy.goDown();
    expect(Date.now() - startedAt).toBeLessThan(1000);
    await expect(longPoll).rejects.toSatisfy(isConnectionError);
    await expect(client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });

    await proxy.comeBack();
    const received = await receiveAll(client, queueUrl, 1);
    expect(received.map((message) => message.Body)).toEqual(["before outage"]);
  });
});

describe("fault proxy: delays", () => {
  /** Settles after `ms`, telling whether `promise` settled first. */
  const settledWithin = (promise: Promise<unknown>, ms: number) =>
    Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
    ]);

  it("delayMs holds the request before forwarding it: the server sees it only after the delay", async () => {
    const proxy = await proxyTo(dynamo.endpoint);
    proxy.setRule((request) =>
      pkOf(request) === "slow-request" && request.target.endsWith(".PutItem") ? { delayMs: 400 } : "pass",
    );
    const client = dynamoVia(proxy);

    const startedAt = performance.now();
    const pending = client.send(put("slow-request", "late"));
    expect(await settledWithin(pending, 150)).toBe(false);
    // Not upstream yet: the proxy still holds the request.
    expect((await dynamo.client.send(get("slow-request"))).Item).toBeUndefined();
    await pending;
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(390);
    expect((await dynamo.client.send(get("slow-request"))).Item?.note).toEqual({ S: "late" });
    expect(proxy.counts).toEqual({ passed: 1, failed: 0 });
    expect(proxy.delayed).toBe(1);
  });

  it('phase "response" forwards at once and holds the answer: the write is applied while the client still waits', async () => {
    const proxy = await proxyTo(dynamo.endpoint);
    proxy.setRule((request) => (pkOf(request) === "slow-answer" ? { delayMs: 400, phase: "response" } : "pass"));
    const client = dynamoVia(proxy);

    const pending = client.send(put("slow-answer", "applied early"));
    expect(await settledWithin(pending, 150)).toBe(false);
    expect((await dynamo.client.send(get("slow-answer"))).Item?.note).toEqual({ S: "applied early" });
    await expect(pending).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(proxy.delayed).toBe(1);
  });

  it("a client that gives up during a request delay never reaches the server", async () => {
    const proxy = await proxyTo(dynamo.endpoint);
    proxy.setRule((request) => (pkOf(request) === "abandoned" ? { delayMs: 500 } : "pass"));
    const client = dynamoVia(proxy, { maxAttempts: 1 });

    await expect(client.send(put("abandoned", "never"), { abortSignal: AbortSignal.timeout(100) })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await dynamo.client.send(get("abandoned"))).Item).toBeUndefined();
    expect(proxy.counts).toEqual({ passed: 0, failed: 0 });
    expect(proxy.delayed).toBe(1);
  });

  it("refuses a malformed delay with a 500 naming it, rather than guessing", async () => {
    const proxy = await proxyTo(dynamo.endpoint);
    proxy.setRule(() => ({ delayMs: Number.NaN }));
    const client = dynamoVia(proxy, { maxAttempts: 1 });
    await expect(client.send(put("bad-delay", "never"))).rejects.toMatchObject({
      name: "FaultRuleError",
      message: expect.stringContaining("a delay needs delayMs >= 0"),
    });
    expect(proxy.delayed).toBe(0);
  });
});

describe("SQS client endpoint choice with AWS_ENDPOINT_URL_SQS (SDK behaviour the suite depends on)", () => {
  it("sends calls naming a QueueUrl to the QueueUrl's host, bypassing the env endpoint, unless useQueueUrlAsEndpoint is false", async () => {
    const proxy = await proxyTo(sqs.endpoint);
    vi.stubEnv("AWS_ENDPOINT_URL_SQS", proxy.endpoint);
    vi.stubEnv("AWS_REGION", REGION);
    vi.stubEnv("AWS_ACCESS_KEY_ID", CREDENTIALS.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", CREDENTIALS.secretAccessKey);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { queueUrl } = await createQueuePair(sqs.client, "fault-proxy-env");

    const client = new SQSClient({});
    open.clients.push(client);
    // No QueueUrl in the input: the env endpoint is used.
    await client.send(new ListQueuesCommand({}));
    expect(proxy.counts.passed).toBe(1);
    // A QueueUrl whose origin differs from the env endpoint wins: the call goes straight to fauxqs.
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "bypassed the proxy" }));
    expect(proxy.counts.passed).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("using QueueUrl host as endpoint"));

    const pinned = new SQSClient({ useQueueUrlAsEndpoint: false });
    open.clients.push(pinned);
    await pinned.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "through the proxy" }));
    expect(proxy.counts.passed).toBe(2);

    const bodies = (await receiveAll(sqs.client, queueUrl, 2)).map((message) => message.Body).sort();
    expect(bodies).toEqual(["bypassed the proxy", "through the proxy"]);
  });
});
