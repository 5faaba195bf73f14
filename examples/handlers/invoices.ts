import { SQSClient } from "@aws-sdk/client-sqs";
import { createBatchHandler, PoisonMessageError, TransientError } from "@queue-processor/runtime";

const sqs = new SQSClient({}); // once per container

export const handler = createBatchHandler(
  async (record) => {
    let invoice: { id?: unknown };
    try {
      invoice = JSON.parse(record.body);
    } catch {
      throw new PoisonMessageError("malformed-json", "the body is not JSON"); // to the DLQ, now
    }
    if (typeof invoice.id !== "string") throw new PoisonMessageError("schema-violation", "id must be a string");
    const response = await fetch(`https://billing.internal/invoices/${invoice.id}`, {
      method: "PUT",
      body: record.body,
    });
    if (response.status >= 500) throw new TransientError("billing-unavailable", `HTTP ${response.status}`); // retried with backoff
    if (response.status === 409) return "duplicate"; // acknowledged, counted as a duplicate
  },
  {
    sqs,
    queueUrl: process.env.QUEUE_URL, // set by QueueProcessor
    deadLetterQueueUrl: process.env.DLQ_URL, // set by QueueProcessor
    concurrency: 10,
    metrics: { namespace: "Billing" },
  },
);
