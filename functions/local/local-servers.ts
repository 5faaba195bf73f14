import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import dynalite from "dynalite";
import { buildApp, interceptLocalhostDns } from "fauxqs";

/** Local servers accept any credentials; the SDK still wants some. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export interface LocalServerOptions {
  /** Default 0: a free port chosen by the system. */
  readonly port?: number;
  readonly region?: string;
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
  const restoreDns = interceptLocalhostDns();
  const app = buildApp({ logger: false });
  await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({ endpoint, region: options.region ?? "us-east-1", credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await app.close();
      restoreDns();
    },
  };
}

/** A real DynamoDB server (dynalite, in memory) on 127.0.0.1, with a client; tables are ready at once. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startLocalDynamo(options: LocalServerOptions = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: options.region ?? "us-east-1", credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
