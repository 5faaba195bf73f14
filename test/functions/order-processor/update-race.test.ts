import { type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrder, type OrdersTable, updateOrder } from "../../../functions/order-processor/orders.js";
import { type OrderCreated, type OrderUpdated, parseOrderEvent } from "../../../functions/order-processor/schema.js";
import { TransientError } from "../../../functions/runtime/errors.js";
import { createOrdersTable, type LocalDynamo, startLocalDynamo } from "../../support/local-aws.js";

const TABLE = "orders-update-race";

function createdEvent(orderId: string, timestamp: string): OrderCreated {
  const event = parseOrderEvent(
    JSON.stringify({
      type: "order_created",
      data: {
        order_id: orderId,
        customer_id: "customer-1",
        items: [{ sku: "sku-1", quantity: 1, unit_price: 5 }],
        total: 5,
      },
      timestamp,
      correlation_id: `corr-${orderId}`,
    }),
  );
  if (event.type !== "order_created") throw new Error("expected an order_created event");
  return event;
}

function updatedEvent(orderId: string, status: string, timestamp: string): OrderUpdated {
  const event = parseOrderEvent(
    JSON.stringify({
      type: "order_updated",
      data: { order_id: orderId, status },
      timestamp,
      correlation_id: `corr-${orderId}-${status}`,
    }),
  );
  if (event.type !== "order_updated") throw new Error("expected an order_updated event");
  return event;
}

/**
 * A thin wrapper around the real client: every command is forwarded unchanged to dynalite, but
 * `beforeFirstGet` runs (against the unwrapped client) just before the first GetItem is forwarded.
 * That places a concurrent create exactly between the update's failed conditional write and its
 * existence read. `sent` records the command names in the order they reached the server.
 */
function clientRunningBeforeFirstGet(client: DynamoDBClient, beforeFirstGet: () => Promise<unknown>) {
  const sent: string[] = [];
  let fired = false;
  const send = async (command: { constructor: { name: string } }) => {
    const name = command.constructor.name;
    if (name === "GetItemCommand" && !fired) {
      fired = true;
      await beforeFirstGet();
      sent.push("<create>");
    }
    sent.push(name);
    return (client.send as (command: unknown) => Promise<unknown>)(command);
  };
  const wrapped = new Proxy(client, {
    get: (target, property, receiver) => (property === "send" ? send : Reflect.get(target, property, receiver)),
  });
  return { client: wrapped, sent, fired: () => fired };
}

async function storedOrder(orderId: string) {
  const { Item } = await dynamo.client.send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: "METADATA" } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

let dynamo: LocalDynamo;
let table: OrdersTable;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createOrdersTable(dynamo.client, TABLE);
  table = { client: dynamo.client, tableName: TABLE };
});

afterAll(async () => {
  await dynamo?.stop();
});

describe("updateOrder against dynalite: the create racing an early update", () => {
  it("applies the update when the create lands between the failed conditional write and the existence read (interleaving forced by a client wrapper)", async () => {
    const create = createdEvent("race-1", "2026-11-01T10:00:00.000Z");
    const update = updatedEvent("race-1", "paid", "2026-11-01T11:00:00.000Z");
    const racing = clientRunningBeforeFirstGet(dynamo.client, async () => {
      expect(await createOrder(table, create)).toBe("processed");
    });

    const outcome = await updateOrder({ client: racing.client, tableName: TABLE }, update);

    // The race really happened: the update's write failed on a missing order, then the create landed.
    expect(racing.fired()).toBe(true);
    expect(racing.sent.slice(0, 3)).toEqual(["UpdateItemCommand", "<create>", "GetItemCommand"]);
    expect(outcome).toBe("processed");
    const item = await storedOrder("race-1");
    expect(item?.status).toEqual({ S: "paid" });
    expect(item?.updated_at).toEqual({ S: "2026-11-01T11:00:00.000Z" });
    expect(item?.created_at).toEqual({ S: "2026-11-01T10:00:00.000Z" });
    expect(item?.customer_id).toEqual({ S: "customer-1" });
  });

  it("still ignores an update older than the stored updated_at, leaving the newer status", async () => {
    expect(await createOrder(table, createdEvent("stale-1", "2026-11-01T10:00:00.000Z"))).toBe("processed");
    expect(await updateOrder(table, updatedEvent("stale-1", "shipped", "2026-11-01T12:00:00.000Z"))).toBe("processed");

    expect(await updateOrder(table, updatedEvent("stale-1", "paid", "2026-11-01T11:00:00.000Z"))).toBe("ignored");
    // As old as the stored one: also ignored (a redelivery).
    expect(await updateOrder(table, updatedEvent("stale-1", "cancelled", "2026-11-01T12:00:00.000Z"))).toBe("ignored");

    const item = await storedOrder("stale-1");
    expect(item?.status).toEqual({ S: "shipped" });
    expect(item?.updated_at).toEqual({ S: "2026-11-01T12:00:00.000Z" });
  });

  it("throws TransientError order-not-created for an update whose order is never created, and writes nothing", async () => {
    const watching = clientRunningBeforeFirstGet(dynamo.client, async () => {});
    const attempt = updateOrder(
      { client: watching.client, tableName: TABLE },
      updatedEvent("never-1", "paid", "2026-11-01T11:00:00.000Z"),
    );

    const error = await attempt.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ reason: "order-not-created", correlationId: "corr-never-1-paid" });
    expect(watching.sent).toEqual(["UpdateItemCommand", "<create>", "GetItemCommand"]);
    expect(await storedOrder("never-1")).toBeUndefined();
  });
});
