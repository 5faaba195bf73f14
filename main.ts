import { ENVIRONMENTS } from "./config/environments.js";
import { synthesizeApp } from "./modules/synthesize.js";
import { OrdersStack } from "./stacks/orders-stack.js";

process.exitCode = synthesizeApp((app) => {
  for (const environment of ENVIRONMENTS) {
    new OrdersStack(app, environment);
  }
});
