import { describe, expect, it } from "vitest";
import { nodeConditions } from "../../../../functions/runtime/bundle/node-conditions.js";

describe("nodeConditions", () => {
  it.each([
    [["--conditions=dev"], "", ["dev"]],
    [["--conditions", "dev"], "", ["dev"]],
    [["-C", "dev"], "", ["dev"]],
    [["-C=dev"], "", ["dev"]],
    [[], "--conditions=@queue-processor/source", ["@queue-processor/source"]],
    [["--conditions=a"], "  -C b   --conditions=a ", ["a", "b"]],
    [["--import", "tsx", "--enable-source-maps"], "--max-old-space-size=512", []],
    [["--conditions"], "", []],
  ])("reads %j with NODE_OPTIONS %j as %j", (execArgv, nodeOptions, expected) => {
    expect(nodeConditions(execArgv, nodeOptions)).toEqual(expected);
  });
});
