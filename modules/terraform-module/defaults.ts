import { resolveConfig } from "../queue-processor/resolve.js";

/**
 * The construct's defaults, read from its own resolver rather than retyped: the config it resolves for
 * the fewest props it accepts, in archive mode so the archive's defaults are filled in too.
 */
export function constructDefaults() {
  const config = resolveConfig({
    name: "defaults",
    handler: { entry: "handler.ts" },
    deadLetters: { mode: "archive" },
  });
  if (config.alarms === false || config.deadLetters.mode !== "archive") throw new Error("unexpected default config");
  return { ...config, alarms: config.alarms, deadLetters: config.deadLetters };
}
