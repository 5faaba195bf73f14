import { describeValue } from "./describe-value.js";
import { capText } from "./text-limits.js";

/**
 * Structured JSON logs, one object per line, written straight to stdout so no runtime prefix breaks
 * them. Every string in a line is capped ({@link capText}), so a line stays a few KB whatever a
 * message carried; a line never throws, whatever its fields hold.
 */
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export function parseLogLevel(value: string | undefined, fallback: LogLevel = "INFO"): LogLevel {
  const upper = value?.toUpperCase();
  return upper !== undefined && upper in RANK ? (upper as LogLevel) : fallback;
}

export function createLogger(
  options: { level?: LogLevel; fields?: LogFields; write?: (line: string) => void } = {},
): Logger {
  const threshold = RANK[options.level ?? "INFO"];
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const base = options.fields ?? {};
  const emit = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[level] < threshold) return;
    const timestamp = new Date().toISOString();
    const all = { ...base, ...fields };
    write(`${safeStringify({ level, timestamp, message, ...all }) ?? fallbackLine(level, timestamp, message, all)}\n`);
  };
  return {
    debug: emit("DEBUG"),
    info: emit("INFO"),
    warn: emit("WARN"),
    error: emit("ERROR"),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/**
 * Errors as name, message and reason; strings capped; never throws on cycles or BigInt. Undefined
 * when the value cannot be written (nested deeper than JSON.stringify's stack).
 */
function safeStringify(value: unknown): string | undefined {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, replacer(seen));
  } catch {
    return undefined;
  }
}

function replacer(seen: WeakSet<object>) {
  return (_key: string, field: unknown): unknown => {
    if (typeof field === "string") return capText(field);
    if (typeof field === "bigint") return field.toString();
    if (field instanceof Error) {
      return { name: field.name, message: field.message, ...("reason" in field ? { reason: field.reason } : {}) };
    }
    if (typeof field === "object" && field !== null) {
      if (seen.has(field)) return "[circular]";
      seen.add(field);
    }
    return field;
  };
}

/** The line written when the fields cannot be: each field described by its type and size instead. */
function fallbackLine(level: LogLevel, timestamp: string, message: string, fields: LogFields): string {
  const described = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, describeValue(value)]));
  return JSON.stringify({ level, timestamp, message: capText(message), unserializableFields: described });
}
