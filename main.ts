import { ENVIRONMENTS } from "./config/environments.js";
import { OrdersStack } from "./modules/orders-stack.js";
import { synthesizeApp } from "./modules/synthesize.js";

process.exitCode = synthesizeApp((app) => {
  for (const environment of ENVIRONMENTS) {
    new OrdersStack(app, environment);
  }
});
