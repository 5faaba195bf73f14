/** Structured JSON logs, one object per line, written straight to stdout so no runtime prefix breaks them. */
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
    write(`${safeStringify({ level, timestamp: new Date().toISOString(), message, ...base, ...fields })}\n`);
  };
  return {
    debug: emit("DEBUG"),
    info: emit("INFO"),
    warn: emit("WARN"),
    error: emit("ERROR"),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** Errors as name, message and reason; never throws on cycles or BigInt. */
function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, field: unknown) => {
    if (typeof field === "bigint") return field.toString();
    if (field instanceof Error) {
      return { name: field.name, message: field.message, ...("reason" in field ? { reason: field.reason } : {}) };
    }
    if (typeof field === "object" && field !== null) {
      if (seen.has(field)) return "[circular]";
      seen.add(field);
    }
    return field;
  });
}
