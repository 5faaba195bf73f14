import type { FaultDecision, ProxiedRequest } from "../servers/fault-proxy.js";

/** The order-processor's DynamoDB client tries each call this many times before the record fails. */
const CLIENT_ATTEMPTS = 3;

/**
 * A fault-proxy rule that fails the first delivery of every write for the given orders: each
 * write call is refused as many times as the function's client retries it, so the record fails
 * transiently once, goes back to the queue with backoff and succeeds on its next delivery.
 */
export function failFirstDeliveryOf(orderIds: ReadonlySet<string>): {
  rule: (request: ProxiedRequest) => FaultDecision;
  readonly failedCalls: number;
} {
  const refusals = new Map<string, number>();
  let failedCalls = 0;
  return {
    rule({ target, body }) {
      if (!/\.(PutItem|UpdateItem)$/.test(target)) return "pass";
      const key = body as { Item?: { pk?: { S?: string } }; Key?: { pk?: { S?: string } } } | undefined;
      const orderId = (key?.Item?.pk?.S ?? key?.Key?.pk?.S)?.replace(/^ORDER#/, "");
      if (orderId === undefined || !orderIds.has(orderId)) return "pass";
      const refused = refusals.get(orderId) ?? 0;
      if (refused >= CLIENT_ATTEMPTS) return "pass";
      refusals.set(orderId, refused + 1);
      failedCalls += 1;
      return "fail";
    },
    get failedCalls() {
      return failedCalls;
    },
  };
}
