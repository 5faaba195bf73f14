import { describe, expect, it } from "vitest";
import { invokeHandler } from "../../../../functions/runtime/poller/invocation.js";
import { resolveSettings } from "../../../../functions/runtime/poller/settings.js";
import { FunctionTimeoutError } from "../../../../local/containers/function-containers.js";

const queueArn = "arn:aws:sqs:us-east-1:000000000000:findings";
const message = { MessageId: "m-1", ReceiptHandle: "handle-1", Body: "{}", Attributes: {} };

describe("invokeHandler", () => {
  // The containers kill a function at its timeout and reject with FunctionTimeoutError at about the
  // moment the mapping's own timer fires; whichever comes first, the outcome is the timeout.
  it("counts an invocation its runtime killed at the timeout as a timeout, not an error", async () => {
    const settings = resolveSettings({ queueArn, functionTimeoutSeconds: 1 });
    const result = await invokeHandler(
      async () => {
        throw new FunctionTimeoutError("the function timed out after 1000 ms");
      },
      [message],
      queueArn,
      settings,
    );
    expect(result).toMatchObject({ outcome: "timeout", retry: "all" });
  });

  it("counts any other error as an error", async () => {
    const settings = resolveSettings({ queueArn, functionTimeoutSeconds: 1 });
    const result = await invokeHandler(
      async () => {
        throw new TypeError("boom");
      },
      [message],
      queueArn,
      settings,
    );
    expect(result).toMatchObject({ outcome: "error", retry: "all" });
  });

  it("times an in-process handler from the call, and allows a runtime with an init phase Lambda's 10 s of init on top", async () => {
    const slow = (ms: number) => () => new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
    const inProcess = resolveSettings({ queueArn, functionTimeoutSeconds: 0.2 });
    expect(inProcess.initAllowanceMs).toBe(0);
    expect(await invokeHandler(slow(400), [message], queueArn, inProcess)).toMatchObject({ outcome: "timeout" });

    const withInit = resolveSettings({ queueArn, functionTimeoutSeconds: 0.2, handlerHasInitPhase: true });
    expect(withInit.initAllowanceMs).toBe(10_000);
    // A cold start's 400 ms of init and a quick handler: the runtime times the handler, the mapping waits.
    expect(await invokeHandler(slow(400), [message], queueArn, withInit)).toMatchObject({ outcome: "ok" });
  });
});
