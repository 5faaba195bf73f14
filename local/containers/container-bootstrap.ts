/**
 * The runtime inside one local function container (a child process): loads the unzipped function
 * once, as Lambda's Node runtime does at a cold start, then runs one invocation at a time on request
 * from the parent, over the IPC channel.
 */
import dns from "node:dns";
import { createRequire } from "node:module";
import path from "node:path";
import type { Context } from "aws-lambda";
import type { ContainerReply, ContainerRequest } from "./container-protocol.js";

type Handler = (event: unknown, context: Context) => Promise<unknown>;

// The parent decides when this process ends, after the invocation in flight, which it waits for: the
// signals sent to its whole process group (a terminal's Ctrl-C, the SIGTERM of `timeout` or a CI cancel)
// are ignored. First thing, before the function loads: a container may be signalled while it starts.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => undefined);
// The parent closes the channel to retire this container (or dies): exit now, as a Lambda sandbox being
// retired; exit handlers (a --cpu-prof) still run.
process.on("disconnect", () => process.exit(0));
routeLocalhostNames();
const send = parentChannel();
const handler = loadHandler();

process.on("message", (request: ContainerRequest) => {
  void invoke(request).then(send);
});
send({ type: "ready" });

async function invoke(request: ContainerRequest): Promise<ContainerReply> {
  const context = contextOf(request);
  try {
    const result = await handler(request.event, context);
    return { type: "result", id: request.id, result: result ?? null };
  } catch (error) {
    const { name = "Error", message = String(error) } = (error ?? {}) as Error;
    return { type: "error", id: request.id, errorType: name, errorMessage: message };
  }
}

function loadHandler(): Handler {
  const directory = process.env.LOCAL_FUNCTION_DIRECTORY;
  if (directory === undefined) {
    throw new Error("LOCAL_FUNCTION_DIRECTORY is not set: start containers with createFunctionContainers");
  }
  const [file, exported] = splitHandler(process.env.LOCAL_FUNCTION_HANDLER ?? "index.handler");
  // The bundle is CommonJS, as Lambda loads a .js file without "type": "module" beside it.
  const loaded = createRequire(path.join(directory, "bootstrap"))(path.join(directory, file)) as Record<
    string,
    unknown
  >;
  const handler = loaded[exported];
  if (typeof handler !== "function") {
    throw new Error(
      `${file}.js does not export a function named ${exported} (handler setting ${process.env.LOCAL_FUNCTION_HANDLER})`,
    );
  }
  return handler as Handler;
}

/** The IPC channel to the parent; without one (not started by createFunctionContainers) nobody could invoke us. */
function parentChannel(): (reply: ContainerReply) => void {
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new Error("no IPC channel to the parent: start containers with createFunctionContainers");
  }
  return (reply) => {
    send(reply);
  };
}

function splitHandler(setting: string): [string, string] {
  const dot = setting.lastIndexOf(".");
  return [setting.slice(0, dot), setting.slice(dot + 1)];
}

function contextOf(request: ContainerRequest): Context {
  const unsupported = (): never => {
    throw new Error("callback-style completion is not supported by the local function container");
  };
  return {
    ...request.context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Local SQS servers name queues `http://sqs.<region>.localhost:<port>/...`; a developer's resolver
 * maps *.localhost to the loopback address (RFC 6761), but not every machine's does.
 */
function routeLocalhostNames(): void {
  const lookup = dns.lookup;
  const patched = ((hostname: string, options: unknown, callback?: unknown) => {
    const done = (typeof options === "function" ? options : callback) as (...args: unknown[]) => void;
    if (typeof hostname === "string" && hostname.endsWith(".localhost")) {
      const all = typeof options === "object" && options !== null && (options as { all?: boolean }).all;
      process.nextTick(() => (all ? done(null, [{ address: "127.0.0.1", family: 4 }]) : done(null, "127.0.0.1", 4)));
      return;
    }
    return (lookup as (...args: unknown[]) => void)(hostname, options, callback);
  }) as typeof dns.lookup;
  dns.lookup = patched;
}
