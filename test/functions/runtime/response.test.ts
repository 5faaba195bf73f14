import { describe, expect, it } from "vitest";
import { batchResponse, checkBatchResponse, InvalidBatchResponseError } from "../../../functions/runtime/index.js";
import { eventOf, record } from "./records.js";

const event = eventOf(record("a"), record("b"));

describe("checkBatchResponse", () => {
  it("accepts failures that name this batch's messages once each, and an empty list", () => {
    expect(() => checkBatchResponse({ batchItemFailures: [{ itemIdentifier: "a" }] }, event)).not.toThrow();
    expect(() => checkBatchResponse({ batchItemFailures: [] }, event)).not.toThrow();
  });

  it.each([
    [
      "a misspelled key, which Lambda reads as all succeeded",
      { batchItemFailure: [{ itemIdentifier: "a" }] },
      "batch response must be { batchItemFailures: [...] }",
    ],
    [
      "an extra key",
      { batchItemFailures: [], ok: true },
      "batch response must have only the key batchItemFailures (got batchItemFailures, ok)",
    ],
    ["no object at all", undefined, "batch response must be { batchItemFailures: [...] } (got undefined)"],
    [
      "an empty identifier, which Lambda reads as the whole batch failed",
      { batchItemFailures: [{ itemIdentifier: "" }] },
      'itemIdentifier must be a non-empty messageId (got "")',
    ],
    [
      "a null identifier",
      { batchItemFailures: [{ itemIdentifier: null }] },
      "itemIdentifier must be a non-empty messageId (got null)",
    ],
    [
      "an identifier of another batch",
      { batchItemFailures: [{ itemIdentifier: "zzz" }] },
      'itemIdentifier "zzz" is not a messageId of this batch',
    ],
    [
      "an identifier listed twice",
      { batchItemFailures: [{ itemIdentifier: "a" }, { itemIdentifier: "a" }] },
      'itemIdentifier "a" is listed twice',
    ],
  ])("rejects %s", (_title, response, message) => {
    expect(() => checkBatchResponse(response, event)).toThrow(InvalidBatchResponseError);
    expect(() => checkBatchResponse(response, event)).toThrow(message);
  });
});

describe("batchResponse", () => {
  it("lists each failed id once, in the order given", () => {
    expect(batchResponse(event, ["b", "a", "b"])).toEqual({
      batchItemFailures: [{ itemIdentifier: "b" }, { itemIdentifier: "a" }],
    });
  });

  it("refuses to build a response naming a message outside the batch", () => {
    expect(() => batchResponse(event, ["c"])).toThrow('itemIdentifier "c" is not a messageId of this batch');
  });
});
