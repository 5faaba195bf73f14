import type { App } from "cdktf";
import { OrdersStack } from "../stacks/orders-stack.js";
import { ENVIRONMENTS } from "./environments.js";

/** The orders app's stacks, one per environment, named after it. */
export const ORDERS_STACKS: readonly string[] = ENVIRONMENTS.map((environment) => environment.name);

/** Adds one OrdersStack per environment to `app`: what `npm run synth` and `npm run lock` synthesize. */
export function addOrdersStacks(app: App): void {
  for (const environment of ENVIRONMENTS) new OrdersStack(app, environment);
}
