import type { QueueStatus, SeriesJson, SeriesKey, StatusReport } from "./status-report.js";

/** How the table is drawn: width in columns (a terminal's), ANSI colours for alarm states or not. */
export interface TableStyle {
  readonly width: number;
  readonly color: boolean;
}

const LABELS: Record<SeriesKey, string> = {
  received: "received",
  succeeded: "succeeded",
  poisoned: "poisoned",
  failed: "failed",
  filteredOut: "filtered out",
  oldestMessageAge: "oldest message",
};

const BARS = "▁▂▃▄▅▆▇█";
/** Where a period has no data point: CloudWatch publishes nothing for an idle queue or function. */
const NO_DATA = "·";
const COLORS = { ALARM: "\u001b[31m", OK: "\u001b[32m", INSUFFICIENT_DATA: "\u001b[33m", MISSING: "\u001b[31m" };
const RESET = "\u001b[0m";
const MISSING_REASON = "not in CloudWatch: deleted, or looked for in another account or region";
/** Columns before a sparkline: label, total. */
const SPARK_PREFIX = 2 + 14 + 12 + 2;

export function renderTable(report: StatusReport, style: TableStyle): string {
  const lines: string[] = [];
  const where = report.local ? "local" : report.region;
  lines.push(`${report.environment} (${where}) at ${report.generatedAt.replace(/\.\d{3}Z$/, "Z")}`, "");

  lines.push("queues            visible  in flight  delayed  oldest message");
  lines.push(queueLine("work", report.queues.queue, report));
  lines.push(queueLine("dead letters", report.queues.deadLetterQueue, report));
  lines.push("");

  if (!report.alarms.available) lines.push(`alarms: ${report.alarms.reason}`);
  else if (report.alarms.items.length === 0) lines.push("alarms: none in this stack");
  else {
    lines.push("alarms");
    const nameWidth = Math.max(...report.alarms.items.map((alarm) => alarm.name.length));
    for (const alarm of report.alarms.items) {
      const state = alarm.state.padEnd(17);
      const painted = style.color ? `${COLORS[alarm.state]}${state}${RESET}` : state;
      const since = alarm.updatedAt ? `since ${alarm.updatedAt.replace(/\.\d{3}Z$/, "Z")}` : "";
      lines.push(clip(`  ${painted}  ${alarm.name.padEnd(nameWidth)}  ${since}`, style.width, style.color));
      // Why, for what needs someone: CloudWatch's own reason, cut to the line.
      const why = alarm.state === "MISSING" ? MISSING_REASON : alarm.state === "ALARM" ? alarm.reason : null;
      if (why) lines.push(clip(`${" ".repeat(21)}${why}`, style.width, false));
    }
  }
  lines.push("");

  if (!report.metrics.available) lines.push(`metrics, last ${report.hours} h: ${report.metrics.reason}`);
  else {
    const { periodSeconds } = report.metrics;
    const slots = Math.max(8, style.width - SPARK_PREFIX);
    const first = report.metrics.series[0]?.values.length ?? 0;
    const group = Math.max(1, Math.ceil(first / slots));
    lines.push(
      `metrics, last ${report.hours} h (${formatDuration(periodSeconds * group)} per mark, ${NO_DATA} no data)`,
    );
    for (const series of report.metrics.series) {
      const total = series.total === null ? "-" : formatValue(series);
      lines.push(`  ${LABELS[series.key].padEnd(14)}${total.padStart(12)}  ${sparkline(series, group)}`);
    }
  }
  if (!report.complete) lines.push("", "incomplete: see the parts above that could not be read");
  return `${lines.join("\n")}\n`;
}

function queueLine(label: string, queue: QueueStatus, report: StatusReport): string {
  const age =
    queue.oldestMessageAgeSeconds !== null
      ? formatDuration(queue.oldestMessageAgeSeconds)
      : report.local
        ? "n/a (no CloudWatch locally)"
        : "no data";
  return [
    `  ${label.padEnd(14)}`,
    count(queue.visible).padStart(9),
    count(queue.inFlight).padStart(11),
    count(queue.delayed).padStart(9),
    `  ${age}`,
    `   ${queue.name}`,
  ].join("");
}

/**
 * Eight levels from zero (or the smallest mark, if below) to the largest mark; `group` periods per mark (summed for a Sum,
 * the largest for a Maximum), so the line fits the width.
 */
export function sparkline(series: Pick<SeriesJson, "values" | "stat">, group = 1): string {
  const marks: (number | null)[] = [];
  for (let at = 0; at < series.values.length; at += group) {
    const present = series.values.slice(at, at + group).filter((value): value is number => value !== null);
    if (present.length === 0) marks.push(null);
    else marks.push(series.stat === "Maximum" ? Math.max(...present) : present.reduce((a, b) => a + b, 0));
  }
  const present = marks.filter((value): value is number => value !== null);
  if (present.length === 0) return NO_DATA.repeat(marks.length);
  const low = Math.min(0, ...present);
  const high = Math.max(...present);
  return marks
    .map((value) => {
      if (value === null) return NO_DATA;
      if (value === low) return BARS[0];
      // Anything above the floor is at least the second level: one poisoned record must show.
      return BARS[Math.ceil(((value - low) / (high - low)) * (BARS.length - 1))];
    })
    .join("");
}

function formatValue(series: SeriesJson): string {
  const total = series.total ?? 0;
  return series.key === "oldestMessageAge" ? formatDuration(total) : count(total);
}

function count(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** 45s, 12m 05s, 3h 02m, 2d 04h. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
  if (seconds < 86_400)
    return `${Math.floor(seconds / 3600)}h ${String(Math.floor(seconds / 60) % 60).padStart(2, "0")}m`;
  return `${Math.floor(seconds / 86_400)}d ${String(Math.floor(seconds / 3600) % 24).padStart(2, "0")}h`;
}

/** Cuts a line to the width; a coloured line is left whole (its escape codes take no columns). */
function clip(line: string, width: number, color: boolean): string {
  const trimmed = line.trimEnd();
  if (color || trimmed.length <= width) return trimmed;
  return `${trimmed.slice(0, width - 1)}…`;
}
