import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalDynamo, type LocalSqs, startLocalDynamo, startLocalSqs } from "../../local/servers/local-servers.js";

const started: { stop(): Promise<void> }[] = [];

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

/** This worker's live child processes running the server entry for `kind` (Linux /proc). */
function serverChildren(kind: "sqs" | "dynamodb"): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) !== process.pid || state === "Z") continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.some((arg) => arg.includes("server-process")) && argv.includes(kind)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function refusesConnections(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (error) {
    return ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === "ECONNREFUSED";
  }
}

describe("local servers with ownProcess: true", () => {
  it("runs fauxqs in a child process that answers SQS calls, and stop() ends it", async () => {
    const before = serverChildren("sqs");
    const sqs: LocalSqs = await startLocalSqs({ ownProcess: true });
    started.push(sqs);
    const children = serverChildren("sqs").filter((pid) => !before.includes(pid));
    expect(children).toHaveLength(1);
    expect(sqs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const { QueueUrl } = await sqs.client.send(new CreateQueueCommand({ QueueName: "own-process" }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
    const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages.map((message) => message.Body)).toEqual(["hello"]);

    await sqs.stop();

    expect(alive(children[0]!)).toBe(false);
    expect(await refusesConnections(sqs.endpoint)).toBe(true);
  });

  it("runs dynalite in a child process that answers DynamoDB calls, and stop() ends it", async () => {
    const before = serverChildren("dynamodb");
    const dynamo: LocalDynamo = await startLocalDynamo({ ownProcess: true });
    started.push(dynamo);
    const children = serverChildren("dynamodb").filter((pid) => !before.includes(pid));
    expect(children).toHaveLength(1);

    await dynamo.client.send(
      new CreateTableCommand({
        TableName: "own-process",
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      }),
    );
    // Tables are ready at once (createTableMs: 0).
    await dynamo.client.send(new PutItemCommand({ TableName: "own-process", Item: { id: { S: "a" }, n: { N: "1" } } }));
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: "own-process", Key: { id: { S: "a" } } }),
    );
    expect(Item).toEqual({ id: { S: "a" }, n: { N: "1" } });
    expect((await dynamo.client.send(new ListTablesCommand({}))).TableNames).toEqual(["own-process"]);

    await dynamo.stop();

    expect(alive(children[0]!)).toBe(false);
    expect(await refusesConnections(dynamo.endpoint)).toBe(true);
  });

  it("starts both at once on distinct ports; stop() twice is harmless", async () => {
    const [sqs, dynamo] = await Promise.all([
      startLocalSqs({ ownProcess: true }),
      startLocalDynamo({ ownProcess: true }),
    ]);
    started.push(sqs, dynamo);
    expect(sqs.endpoint).not.toBe(dynamo.endpoint);

    await Promise.all([sqs.stop(), dynamo.stop()]);
    await Promise.all([sqs.stop(), dynamo.stop()]);
    await sleep(0);

    expect(serverChildren("sqs")).toEqual([]);
    expect(serverChildren("dynamodb")).toEqual([]);
  });

  it("rejects with a clear error when the port is taken", async () => {
    const dynamo = await startLocalDynamo({ ownProcess: true });
    started.push(dynamo);
    const port = Number(new URL(dynamo.endpoint).port);

    await expect(startLocalDynamo({ ownProcess: true, port })).rejects.toThrow(
      /the local dynamodb server could not start: .*EADDRINUSE/,
    );
    await dynamo.stop();
  });
});
