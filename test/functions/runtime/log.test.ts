import { describe, expect, it } from "vitest";
import { createLogger, PoisonMessageError, parseLogLevel } from "../../../functions/runtime/index.js";
import { MAX_TEXT_CHARS } from "../../../functions/runtime/text-limits.js";

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

describe("createLogger with hostile fields", () => {
  const huge = "t".repeat(255_012);

  it("caps every string, nested ones and error messages included, and says how much was cut", () => {
    const raw: string[] = [];
    const logger = createLogger({ write: (line) => raw.push(line) });
    logger.warn(huge, {
      type: huge,
      nested: { deeper: [huge] },
      error: new Error(huge),
      messageId: "m1",
    });
    expect(raw).toHaveLength(1);
    // Four capped strings and the line's own fields: a few KB, not 1 MB.
    expect(raw[0]!.length).toBeLessThan(5 * (MAX_TEXT_CHARS + 100));
    const line = JSON.parse(raw[0]!);
    const capped = `${"t".repeat(960)}…[254,052 more characters cut]`;
    expect(line).toMatchObject({
      message: capped,
      type: capped,
      nested: { deeper: [capped] },
      error: { name: "Error", message: capped },
      messageId: "m1",
    });
  });

  it("writes a line, fields described, when the fields are nested too deep to serialize", () => {
    const { logger, lines } = capture();
    let deep: unknown = "bottom";
    for (let level = 0; level < 120_000; level++) deep = [deep];
    expect(() => logger.error("poison", { payload: deep, messageId: "m2" })).not.toThrow();
    expect(lines[0]).toMatchObject({
      level: "ERROR",
      message: "poison",
      unserializableFields: {
        payload: "an array of 1 item, nested more than 32 levels",
        messageId: '"m2"',
        service: '"orders"',
      },
    });
  });

  it("logs a poison error built from a huge value at its capped size", () => {
    const raw: string[] = [];
    const logger = createLogger({ write: (line) => raw.push(line) });
    const error = new PoisonMessageError(huge, `type must be known (got ${huge})`, { correlationId: huge });
    logger.warn("poison message sent to the dead-letter queue", {
      reason: error.reason,
      error: error.message,
      correlationId: error.correlationId,
    });
    expect(raw[0]!.length).toBeLessThan(4 * (MAX_TEXT_CHARS + 100));
  });
});

describe("parseLogLevel", () => {
  it("reads LOG_LEVEL in any case and falls back on unknown values", () => {
    expect(parseLogLevel("debug")).toBe("DEBUG");
    expect(parseLogLevel("verbose")).toBe("INFO");
    expect(parseLogLevel(undefined, "WARN")).toBe("WARN");
  });
});
