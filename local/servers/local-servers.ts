import { fork } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import dynalite from "dynalite";
import { interceptLocalhostDns } from "fauxqs";
import { compiledChildEntry } from "../child-entry.js";
import { buildFauxqsApp } from "./fauxqs-app.js";

/** Local servers accept any credentials; the SDK still wants some. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export interface LocalServerOptions {
  /** Default 0: a free port chosen by the system. */
  readonly port?: number;
  readonly region?: string;
  /**
   * Run the server in a process of its own (default false: in this process, cheapest to start).
   * Under load a server sharing the caller's event loop slows both down.
   */
  readonly ownProcess?: boolean;
}

/** A real SQS server (fauxqs) on 127.0.0.1, with a client for it. */
export interface LocalSqs {
  readonly endpoint: string;
  readonly client: SQSClient;
  stop(): Promise<void>;
}

export async function startLocalSqs(options: LocalServerOptions = {}): Promise<LocalSqs> {
  // fauxqs's queue URLs name the host sqs.<region>.localhost; map *.localhost to 127.0.0.1 in this
  // process, as a developer's resolver would.
  const releaseDns = routeLocalhostNames();
  const server = await (options.ownProcess ? startInOwnProcess("sqs", options.port) : startFauxqs(options.port)).catch(
    (error: unknown) => {
      releaseDns();
      throw error;
    },
  );
  const client = new SQSClient({
    endpoint: server.endpoint,
    region: options.region ?? "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    endpoint: server.endpoint,
    client,
    stop: async () => {
      client.destroy();
      await server.stop();
      releaseDns();
    },
  };
}

let dnsUsers = 0;
let restoreDns: (() => void) | undefined;

/**
 * Maps *.localhost to 127.0.0.1 while any local SQS server of this process runs: shared, so one
 * server stopping does not break another's queue URLs.
 */
function routeLocalhostNames(): () => void {
  if (dnsUsers++ === 0) restoreDns = interceptLocalhostDns();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--dnsUsers === 0) {
      restoreDns?.();
      restoreDns = undefined;
    }
  };
}

/** A real DynamoDB server (dynalite, in memory) on 127.0.0.1, with a client; tables are ready at once. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startLocalDynamo(options: LocalServerOptions = {}): Promise<LocalDynamo> {
  const server = options.ownProcess
    ? await startInOwnProcess("dynamodb", options.port)
    : await startDynalite(options.port);
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: options.region ?? "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    endpoint: server.endpoint,
    client,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}

/** How long a server in its own process may take to exit once told to. */
const STOP_GRACE_MS = 2000;

interface RunningServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function startFauxqs(port = 0): Promise<RunningServer> {
  const app = buildFauxqsApp();
  await app.listen({ port, host: "127.0.0.1" });
  const address = app.server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${address.port}`, stop: () => app.close() };
}

async function startDynalite(port = 0): Promise<RunningServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function startInOwnProcess(kind: "sqs" | "dynamodb", port = 0): Promise<RunningServer> {
  const child = fork(compiledChildEntry("servers/server-process"), [kind, String(port)], {
    execArgv: [],
    // Out of the caller's process group: a Ctrl-C or SIGTERM sent to it must not end the server before
    // the caller has read what it needs. It ends when the caller closes the channel, or dies.
    detached: true,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const reply = await new Promise<{ port?: number; error?: string }>((resolve) => {
    child.once("message", (message) => resolve(message as { port?: number; error?: string }));
    child.once("exit", (code) => resolve({ error: `exited with code ${code} before listening` }));
  });
  if (reply.port === undefined) throw new Error(`the local ${kind} server could not start: ${reply.error}`);
  return {
    endpoint: `http://127.0.0.1:${reply.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        // Ended already: by an exit code, or by a signal (a previous stop()'s SIGKILL), when exitCode stays null.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // Not a signal: the server ignores those, which a caller sends to the whole process group.
        const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        if (child.connected) child.disconnect();
        else child.kill("SIGKILL");
      }),
  };
}
