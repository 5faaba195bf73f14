import { describe, expect, it } from "vitest";
import { FunctionTimeoutError } from "../../functions/local/function-containers.js";
import { invokeHandler } from "../../functions/local/invocation.js";
import { resolveSettings } from "../../functions/local/mapping-settings.js";

const queueArn = "arn:aws:sqs:us-east-1:000000000000:findings";
const message = { MessageId: "m-1", ReceiptHandle: "handle-1", Body: "{}", Attributes: {} };

describe("local pipeline findings (open; reported, not fixed here)", () => {
  // A container outliving the function timeout is killed and its invoke() rejects with
  // FunctionTimeoutError; the mapping's own timer for the same timeout races it. Whichever fires
  // first decides the outcome: in the function-timeout scenario 2 of 3 killed invocations were
  // counted "error", and 5 of 20 with a hanging handler and a 0.3 s timeout. Both retry the whole
  // batch, so only the report's outcomes are wrong. `it.fails` keeps the suite green while the
  // finding is open: make it `it` once function-containers/invocation count the kill as a timeout.
  it.fails("an invocation killed at the timeout by its container counts as a timeout, not an error", async () => {
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
});
