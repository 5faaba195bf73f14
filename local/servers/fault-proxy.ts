import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request as the proxy saw it, for a fault rule to decide on. */
export interface ProxiedRequest {
  /** The X-Amz-Target header (e.g. "DynamoDB_20120810.PutItem"), "" if absent. */
  readonly target: string;
  /** The parsed JSON body, undefined if the body is not JSON. */
  readonly body: unknown;
}

/**
 * What the proxy does with one request: forward it, answer 503, or forward it late. A delay holds
 * the request before forwarding it (`phase: "request"`, the default: the server sees it late, and
 * never if the client gives up meanwhile, e.g. a process killed at its timeout), or forwards it at
 * once and holds the answer (`phase: "response"`: the server has acted, the client hears of it late).
 */
export type FaultDecision = "pass" | "fail" | FaultDelay;

interface FaultDelay {
  /** Milliseconds to hold the request or its response, a finite number >= 0. */
  readonly delayMs: number;
  /** Default "request". */
  readonly phase?: "request" | "response";
}

/** An HTTP proxy in front of a local AWS-compatible server that fails requests or goes down on demand. */
export interface FaultProxy {
  /** http://127.0.0.1:<port>; the port stays the same across goDown/comeBack. */
  readonly endpoint: string;
  /**
   * "fail" answers 503 with an AWS JSON error, which the SDK retries as a server error; a
   * {@link FaultDelay} forwards late; undefined passes all.
   */
  setRule(rule: ((request: ProxiedRequest) => FaultDecision) | undefined): void;
  /** Refuses connections like a stopped server, including on keep-alive sockets clients already hold. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  readonly isDown: boolean;
  /** Requests forwarded (delayed ones included, once forwarded) and requests answered 503. */
  readonly counts: { readonly passed: number; readonly failed: number };
  /** Requests a delay decision held (or whose response it held), forwarded or not. */
  readonly delayed: number;
  close(): Promise<void>;
}

// Hop-by-hop headers describe one connection, not the message; the body is re-sent with its exact length.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  // The SDK's JSON protocols read the error code from x-amzn-ErrorType first, then from __type.
  res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-ErrorType": type });
  res.end(JSON.stringify({ __type: type, message }));
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const upstreamAgent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  let rule: ((request: ProxiedRequest) => FaultDecision) | undefined;
  let passed = 0;
  let failed = 0;
  let delayed = 0;
  let down = false;

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, holdResponseMs = 0): void => {
    // Host is kept as the client sent it: SigV4 signs it, and fauxqs builds queue URLs from it,
    // so queues created through the proxy keep pointing at the proxy.
    const headers = { ...endToEnd(req.headers), "content-length": String(body.length) };
    const upstreamReq = httpRequest(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        agent: upstreamAgent,
      },
      (upstreamRes) => {
        const answer = () => {
          // The client went away while the answer was held: nobody is left to hear it.
          if (res.destroyed) return void upstreamRes.resume();
          res.writeHead(upstreamRes.statusCode ?? 502, endToEnd(upstreamRes.headers));
          upstreamRes.pipe(res);
        };
        if (holdResponseMs > 0) setTimeout(answer, holdResponseMs);
        else answer();
      },
    );
    upstreamReq.on("error", (error) => {
      if (!res.headersSent) sendError(res, 502, "BadGateway", `fault-proxy: upstream ${upstream}: ${error.message}`);
      else res.destroy(error);
    });
    // A client that went away (or goDown) must not leave the upstream exchange running.
    res.on("close", () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    upstreamReq.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let decision: FaultDecision;
      try {
        decision = rule?.({ target: req.headers["x-amz-target"]?.toString() ?? "", body: parseJson(body) }) ?? "pass";
      } catch (error) {
        sendError(res, 500, "FaultRuleError", `fault-proxy: the rule threw: ${String(error)}`);
        return;
      }
      if (decision === "fail") {
        failed++;
        sendError(res, 503, "ServiceUnavailable", "fault-proxy: injected failure");
      } else if (typeof decision === "object" && decision !== null) {
        const { delayMs, phase = "request" } = decision;
        if (
          !(typeof delayMs === "number" && Number.isFinite(delayMs) && delayMs >= 0) ||
          (phase !== "request" && phase !== "response")
        ) {
          sendError(
            res,
            500,
            "FaultRuleError",
            `fault-proxy: a delay needs delayMs >= 0 and phase "request" or "response" (got ${JSON.stringify(decision)})`,
          );
          return;
        }
        delayed++;
        if (phase === "response") {
          passed++;
          forward(req, res, body, delayMs);
          return;
        }
        const timer = setTimeout(() => {
          if (res.destroyed) return;
          passed++;
          forward(req, res, body);
        }, delayMs);
        // A client that gives up (or goDown cutting its socket) means the request never reaches the server.
        res.on("close", () => clearTimeout(timer));
      } else {
        passed++;
        forward(req, res, body);
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // close() stops accepting and drops idle keep-alive sockets, but waits for a socket mid-request
      // (an SQS long poll, say) to finish: a stopped server would cut it.
      for (const socket of sockets) socket.destroy();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setRule: (next) => {
      rule = next;
    },
    goDown: async () => {
      if (down) return;
      down = true;
      await stop();
    },
    comeBack: async () => {
      if (!down) return;
      await listen(port);
      down = false;
    },
    get isDown() {
      return down;
    },
    get counts() {
      return { passed, failed };
    },
    get delayed() {
      return delayed;
    },
    close: async () => {
      if (!down) await stop();
      down = true;
      upstreamAgent.destroy();
    },
  };
}
