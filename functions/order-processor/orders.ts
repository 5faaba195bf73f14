import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { PoisonMessageError, TransientError } from "@queue-processor/runtime";
import type { OrderCreated, OrderUpdated } from "./schema.js";
import { compareStoredTimes, storedTimeIsOlder } from "./timestamp.js";

export interface OrdersTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

const METADATA = "METADATA";
const orderKey = (orderId: string): Record<string, AttributeValue> => ({
  pk: { S: `ORDER#${orderId}` },
  sk: { S: METADATA },
});

/**
 * Creates the order with one conditional write: if it exists (a redelivered or re-sent create, or a
 * create arriving after its updates), nothing changes and the message counts as a duplicate.
 */
export async function createOrder(table: OrdersTable, event: OrderCreated): Promise<"processed" | "duplicate"> {
  const { data } = event;
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          ...orderKey(data.order_id),
          status: { S: "pending" },
          created_at: { S: event.timestamp },
          customer_id: { S: data.customer_id },
          items: toAttributeValue(data.items),
          total: { N: String(data.total) },
        },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return "processed";
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return "duplicate";
    throw classify(error, event);
  }
}

/** Conditional writes retried when the create lands between an update's failed condition and its check. */
const MAX_UPDATE_ROUNDS = 3;

/**
 * Applies a status change only if it is newer than the stored one. An update older than (or as old
 * as) `updated_at` is ignored; one for an order not yet created is transient: its create may still be
 * on the way, so it is retried with backoff. Times are compared as the instants they stand for, in
 * either stored form (see timestamp.ts), so an update a microsecond after one stored with
 * milliseconds only is applied.
 */
export async function updateOrder(table: OrdersTable, event: OrderUpdated): Promise<"processed" | "ignored"> {
  const key = orderKey(event.data.order_id);
  const older = storedTimeIsOlder("updated_at", event.timestamp, ":ts_");
  for (let round = 1; ; round++) {
    try {
      await table.client.send(
        new UpdateItemCommand({
          TableName: table.tableName,
          Key: key,
          UpdateExpression: `SET #status = :status, updated_at = ${older.timeValue}`,
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(updated_at) OR ${older.expression})`,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":status": { S: event.data.status }, ...older.values },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return "processed";
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw classify(error, event);
      // Which half of the condition failed: DynamoDB returns the item as it was; emulators may not, so read it.
      const stored = error.Item ?? (await readUpdatedAt(table, key, event));
      if (stored !== undefined && isAtLeast(stored.updated_at, event.timestamp)) return "ignored";
      if (stored === undefined) {
        throw new TransientError(
          "order-not-created",
          `order ${event.data.order_id} does not exist yet; its create may still be on the way`,
          {
            correlationId: event.correlation_id,
          },
        );
      }
      // The order exists and is older than this update: it was created after the condition was
      // evaluated (a concurrent create), so the update is applied now, not dropped as stale.
      if (round >= MAX_UPDATE_ROUNDS) {
        throw new TransientError(
          "update-contended",
          `order ${event.data.order_id} kept changing while the update was applied`,
          {
            correlationId: event.correlation_id,
          },
        );
      }
    }
  }
}

async function readUpdatedAt(
  table: OrdersTable,
  key: Record<string, AttributeValue>,
  event: OrderUpdated,
): Promise<Record<string, AttributeValue> | undefined> {
  try {
    const read = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: "pk, updated_at",
      }),
    );
    return read.Item;
  } catch (error) {
    throw classify(error, event);
  }
}

function isAtLeast(storedTimestamp: AttributeValue | undefined, timestamp: string): boolean {
  return storedTimestamp?.S !== undefined && compareStoredTimes(storedTimestamp.S, timestamp) >= 0;
}

/** DynamoDB's refusal of the item itself is permanent; anything else (network, throttling, 5xx) may pass. */
function classify(error: unknown, event: OrderCreated | OrderUpdated): Error {
  const name = (error as Error)?.name ?? "Error";
  const message = (error as Error)?.message ?? String(error);
  if (name === "ValidationException") {
    return new PoisonMessageError("rejected-by-table", `the orders table refused the write: ${message}`, {
      cause: error,
      correlationId: event.correlation_id,
    });
  }
  return new TransientError("table-unavailable", `${name}: ${message}`, {
    cause: error,
    correlationId: event.correlation_id,
  });
}

/** Plain JSON (what a validated body holds) as a DynamoDB attribute value. */
function toAttributeValue(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  return { M: Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toAttributeValue(v)])) };
}
