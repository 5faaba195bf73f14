import { describe, expect, it } from "vitest";
import { DEFAULT_LOAD_COUNT, reliabilitySizes } from "../../local/scenarios/index.js";

describe("reliability suite sizes", () => {
  it("runs the CI size by default; RELIABILITY_COUNT sets the load, the fault scenarios take a fifth of it (200-2,000)", () => {
    expect(reliabilitySizes({})).toEqual({ load: DEFAULT_LOAD_COUNT, faults: 200 });
    expect(reliabilitySizes({ RELIABILITY_COUNT: "10000" })).toEqual({ load: 10_000, faults: 2000 });
    expect(reliabilitySizes({ RELIABILITY_COUNT: "500" })).toEqual({ load: 500, faults: 200 });
    expect(reliabilitySizes({ RELIABILITY_COUNT: "100000", RELIABILITY_FAULT_COUNT: "300" })).toEqual({
      load: 100_000,
      faults: 300,
    });
    expect(reliabilitySizes({ RELIABILITY_COUNT: " " })).toEqual({ load: DEFAULT_LOAD_COUNT, faults: 200 });
  });

  it.each(["0", "-5", "1e4", "ten", "2.5"])(
    "refuses RELIABILITY_COUNT=%s, naming the variable and the value",
    (value) => {
      expect(() => reliabilitySizes({ RELIABILITY_COUNT: value })).toThrow(
        `RELIABILITY_COUNT must be a whole number from 1 to 1000000 (got "${value}")`,
      );
    },
  );
});
