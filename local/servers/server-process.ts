/**
 * A local AWS server in a process of its own (started by local-servers.ts): a busy server then
 * gets a core to itself instead of sharing one event loop with the poller and the producer.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { buildFauxqsApp } from "./fauxqs-app.js";

const kind = process.argv[2];
const port = Number(process.argv[3] ?? 0);

async function listen(): Promise<number> {
  if (kind === "sqs") {
    const app = buildFauxqsApp();
    await app.listen({ port, host: "127.0.0.1" });
    return (app.server.address() as AddressInfo).port;
  }
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return (server.address() as AddressInfo).port;
}

// Started by fork(), so the IPC channel to the parent exists; without it there is no one to tell.
const tellParent = (message: { port: number } | { error: string }) => process.send?.(message);
listen().then(
  (listening) => tellParent({ port: listening }),
  (error: Error) => {
    tellParent({ error: error.message });
    process.exit(1);
  },
);
// The parent decides when this process ends (it still reads the queues and the table for its summary):
// it starts the server in a process group of its own, and a signal sent to the parent's group (a
// terminal's Ctrl-C, the SIGTERM of `timeout` or a CI cancel) that still reaches it is ignored.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => undefined);
// The parent closing the channel (its stop(), or it died, even killed) ends the server: no orphan keeps the port.
process.on("disconnect", () => process.exit(0));
