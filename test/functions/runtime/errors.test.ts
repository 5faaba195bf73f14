import { describe, expect, it } from "vitest";
import { PoisonMessageError, TransientError } from "../../../functions/runtime/index.js";
import { MAX_TEXT_CHARS } from "../../../functions/runtime/text-limits.js";

describe("RecordProcessingError", () => {
  it("caps its message, reason and correlation id, whichever error class", () => {
    const huge = "x".repeat(300_000);
    for (const error of [new PoisonMessageError(huge, huge, { correlationId: huge }), new TransientError(huge, huge)]) {
      expect(error.message.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(error.reason.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(error.message).toMatch(/…\[299,040 more characters cut\]$/);
    }
    expect(new PoisonMessageError("r", "m", { correlationId: huge }).correlationId).toMatch(/cut\]$/);
  });

  it("keeps short messages and reasons as they are", () => {
    expect(new PoisonMessageError("malformed-json", "the body is not JSON")).toMatchObject({
      reason: "malformed-json",
      message: "the body is not JSON",
      correlationId: undefined,
    });
  });
});
