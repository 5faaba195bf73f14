import { synthesizeApp } from "@queue-processor/construct";
import { addOrdersStacks, ORDERS_STACKS } from "./config/orders-app.js";
import { placeProviderLocks } from "./config/provider-locks.js";

process.exitCode = synthesizeApp(addOrdersStacks);
if (process.exitCode === 0) {
  // The same default as cdktf's App; the cdktf CLI sets CDKTF_OUTDIR to its --output.
  process.exitCode = placeProviderLocks(process.env.CDKTF_OUTDIR ?? "cdktf.out", ORDERS_STACKS);
}
