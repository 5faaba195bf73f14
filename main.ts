import { synthesizeApp } from "@queue-processor/construct";
import { ENVIRONMENTS } from "./config/environments.js";
import { OrdersStack } from "./stacks/orders-stack.js";

process.exitCode = synthesizeApp((app) => {
  for (const environment of ENVIRONMENTS) {
    new OrdersStack(app, environment);
  }
});
