import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { unzipSync } from "fflate";
import { bundleFunction, LAMBDA_PROVIDED_MODULES } from "../../functions/runtime/bundle/bundle.js";
import { tempDir } from "./temp-dirs.js";

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The exact file that is zipped, loaded as Lambda loads it: bundled as the construct bundles it,
 * unzipped into a folder of its own and required with the environment the function gets. The
 * project's node_modules, linked beside it, stands in for the SDK the Lambda runtime provides. Each
 * call is a new "container".
 */
export function loadBundledHandler(entry: string, environment: Record<string, string>): BatchHandler {
  const bundle = bundleFunction({
    entry,
    outputDirectory: tempDir("bundle"),
    externalModules: LAMBDA_PROVIDED_MODULES,
  });
  const files = unzipSync(readFileSync(bundle.zipPath));
  const dir = tempDir("container");
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), contents);
  }
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"));
  Object.assign(process.env, environment);
  const module = createRequire(path.join(dir, "loader.js"))(path.join(dir, "index.js")) as { handler: BatchHandler };
  return module.handler;
}

/** A Lambda context with a fixed time budget, or a custom clock. */
export function lambdaContext(remainingMs: () => number = () => 60_000): Context {
  return {
    functionName: "orders-test-processor",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:orders-test-processor",
    memoryLimitInMB: "512",
    awsRequestId: "test-request",
    logGroupName: "/aws/lambda/orders-test-processor",
    logStreamName: "test",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
