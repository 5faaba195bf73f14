import { describe, expect, it } from "vitest";
import { createLogger, parseLogLevel } from "../../../functions/lib/index.js";

function capture(level?: "DEBUG" | "INFO" | "WARN" | "ERROR") {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level, fields: { service: "orders" }, write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe("createLogger", () => {
  it("writes one JSON object per line with level, time, message and fields", () => {
    const { logger, lines } = capture();
    logger.info("order created", { messageId: "m1", correlationId: "c1" });
    expect(lines).toEqual([
      {
        level: "INFO",
        timestamp: expect.stringMatching(/Z$/),
        message: "order created",
        service: "orders",
        messageId: "m1",
        correlationId: "c1",
      },
    ]);
  });

  it("drops lines below its level", () => {
    const { logger, lines } = capture("WARN");
    logger.debug("x");
    logger.info("y");
    logger.warn("z");
    expect(lines.map((line) => line.message)).toEqual(["z"]);
  });

  it("adds a child's fields to every line", () => {
    const { logger, lines } = capture();
    logger.child({ messageId: "m9" }).error("failed");
    expect(lines[0]).toMatchObject({ service: "orders", messageId: "m9", level: "ERROR" });
  });

  it("writes errors as name, message and reason, and survives cycles and BigInt", () => {
    const { logger, lines } = capture();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    logger.warn("odd", { error: Object.assign(new Error("boom"), { reason: "table-unavailable" }), cycle, big: 10n });
    expect(lines[0]).toMatchObject({
      error: { name: "Error", message: "boom", reason: "table-unavailable" },
      cycle: { self: "[circular]" },
      big: "10",
    });
  });
});

describe("parseLogLevel", () => {
  it("reads LOG_LEVEL in any case and falls back on unknown values", () => {
    expect(parseLogLevel("debug")).toBe("DEBUG");
    expect(parseLogLevel("verbose")).toBe("INFO");
    expect(parseLogLevel(undefined, "WARN")).toBe("WARN");
  });
});
