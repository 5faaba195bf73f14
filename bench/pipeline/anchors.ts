import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { sendMessages } from "../../functions/runtime/index.js";
import { createOrdersTable } from "../../local/servers/ad-hoc-resources.js";
import { startLocalDynamo, startLocalSqs } from "../../local/servers/local-servers.js";

export interface AnchorResult {
  readonly operations: number;
  readonly wallMs: number;
}

/** fauxqs alone: the messages sent by the producer, then received and deleted ten at a time. */
export async function sqsAlone(count: number): Promise<AnchorResult> {
  const sqs = await startLocalSqs();
  try {
    const { QueueUrl } = await sqs.client.send(new CreateQueueCommand({ QueueName: "bench-anchor" }));
    if (!QueueUrl) throw new Error("fauxqs created the queue without returning its URL");
    const started = performance.now();
    const bodies = Array.from({ length: count }, (_, index) => ({
      body: JSON.stringify({ type: "order_created", index }),
    }));
    await sendMessages(sqs.client, QueueUrl, bodies);
    let received = 0;
    while (received < count) {
      const { Messages = [] } = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      received += Messages.length;
      const Entries = Messages.map((message, index) => {
        if (!message.ReceiptHandle) throw new Error("fauxqs returned a message without a receipt handle");
        return { Id: String(index), ReceiptHandle: message.ReceiptHandle };
      });
      if (Entries.length > 0) await sqs.client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries }));
    }
    return { operations: count, wallMs: performance.now() - started };
  } finally {
    await sqs.stop();
  }
}

/** dynalite alone, in its own process: conditional puts of order-sized items, ten in flight, as the handler writes. */
export async function tableAlone(count: number): Promise<AnchorResult> {
  const dynamo = await startLocalDynamo({ ownProcess: true });
  try {
    await createOrdersTable(dynamo.client, "bench-anchor");
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < count) {
          const index = next++;
          await dynamo.client.send(
            new PutItemCommand({
              TableName: "bench-anchor",
              Item: {
                pk: { S: `ORDER#order-${index}` },
                sk: { S: "METADATA" },
                status: { S: "pending" },
                customer_id: { S: "customer-1" },
                items: { L: [{ M: { sku: { S: "sku-1" }, quantity: { N: "2" }, unit_price: { N: "9.5" } } }] },
                total: { N: "19" },
              },
              ConditionExpression: "attribute_not_exists(pk)",
            }),
          );
        }
      }),
    );
    return { operations: count, wallMs: performance.now() - started };
  } finally {
    await dynamo.stop();
  }
}
