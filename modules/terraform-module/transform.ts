import { isDeepStrictEqual } from "node:util";
import { interpolate } from "./hcl.js";
import { NUMBER_SENTINELS, NUMBERS_IN_TEXT_ATTRIBUTES, SENTINEL_TAGS, STRING_SENTINELS } from "./sentinels.js";
import { applyStructure, conditionOf, RETAINED_DLQ_ALARM } from "./structure.js";
import { CONSTRUCT_PATH_PREFIX, type TerraformDocument } from "./synthesize-construct.js";

type Body = Record<string, unknown>;
type Section = "resource" | "data";

/** One synthesized resource or data source, and the name it gets in the module. */
interface Block {
  readonly section: Section;
  readonly type: string;
  readonly synthesizedId: string;
  readonly path: string;
  readonly body: Body;
}

/** `alarms/queueDepth` → `alarms_queue_depth`: the module's names follow the construct's paths. */
const moduleId = (path: string): string =>
  path
    .replace("#", "/")
    .replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
    .replace(/[/-]/g, "_");

function blocksOf(document: TerraformDocument): Block[] {
  const blocks: Block[] = [];
  for (const section of ["resource", "data"] as const) {
    for (const [type, byId] of Object.entries(document[section] ?? {})) {
      for (const [synthesizedId, body] of Object.entries(byId)) {
        const metadata = (body["//"] as { metadata: { path: string } }).metadata;
        if (!metadata.path.startsWith(CONSTRUCT_PATH_PREFIX)) throw new Error(`unexpected block ${metadata.path}`);
        blocks.push({ section, type, synthesizedId, path: metadata.path.slice(CONSTRUCT_PATH_PREFIX.length), body });
      }
    }
  }
  return blocks;
}

/** Where a reference to a resource goes in the module: its new address, or a local that stands for it. */
interface Target {
  readonly address: string;
  readonly counted: boolean;
  readonly locals?: Readonly<Record<string, string>>;
}

const REFERENCE = /(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+?_[0-9A-F]{8})\b(\.[a-z_]+)?/g;

/** The module's resources and data sources, built from the sentinel synths (archive mode and retain mode). */
export function moduleBlocks(archive: TerraformDocument, retain: TerraformDocument) {
  const retainedAlarm = blocksOf(retain).find((block) => block.path === "alarms/deadLetterQueueNotEmpty");
  if (!retainedAlarm) throw new Error("the retain-mode synth has no deadLetterQueueNotEmpty alarm");
  const blocks = [...blocksOf(archive), { ...retainedAlarm, path: RETAINED_DLQ_ALARM }];

  const targets = new Map<string, Target>();
  for (const block of blocks) {
    const prefix = block.section === "data" ? "data." : "";
    const address = `${prefix}${block.type}.${moduleId(block.path)}`;
    const locals: Readonly<Record<string, string>> | undefined =
      block.path === "alarms/topic"
        ? { arn: "local.alarm_topic_arn" }
        : block.path === "dead-letter-archive/bucket"
          ? { arn: "local.archive_bucket_arn", bucket: "local.archive_bucket_name" }
          : undefined;
    if (block.path !== RETAINED_DLQ_ALARM) {
      targets.set(`${prefix}${block.type}.${block.synthesizedId}`, {
        address,
        counted: conditionOf(block.path) !== undefined,
        locals,
      });
    }
  }
  const rewriteReferences = (text: string) =>
    text.replace(
      REFERENCE,
      (whole, data: string | undefined, type: string, id: string, attribute: string | undefined) => {
        const target = targets.get(`${data ?? ""}${type}.${id}`);
        if (!target) throw new Error(`reference to a block outside the construct: ${whole}`);
        if (attribute === undefined) return target.address;
        const local = target.locals?.[attribute.slice(1)];
        if (local) return local;
        return `${target.address}${target.counted ? "[0]" : ""}${attribute}`;
      },
    );

  const used = new Set<string>();
  const sections: Record<Section, Record<string, Record<string, Body>>> = { resource: {}, data: {} };
  for (const block of blocks) {
    const body = structuredClone(block.body);
    delete body["//"];
    applyStructure(block.path, block.type, body);
    const rewritten = replaceSentinels(mapStrings(body, rewriteReferences), undefined, used) as Body;
    const condition = conditionOf(block.path);
    const withCount = condition ? { count: interpolate(`${condition} ? 1 : 0`), ...rewritten } : rewritten;
    sections[block.section][block.type] ??= {};
    (sections[block.section][block.type] as Record<string, Body>)[moduleId(block.path)] = withCount;
  }
  // A sentinel that structure.ts replaced itself shows as its expression.
  const written = JSON.stringify(sections);
  const unused = [...NUMBER_SENTINELS, ...STRING_SENTINELS].filter(
    (sentinel) => !used.has(String(sentinel.value)) && !written.includes(sentinel.expression),
  );
  if (unused.length > 0) {
    throw new Error(`sentinels not found in the synthesized construct: ${unused.map((s) => s.value).join(", ")}`);
  }
  assertNoSentinelLeft(written);
  return { sections, address: (path: string) => addressOf(blocks, path) };
}

/** Fails when a sentinel survived the replacement: a value of the props that the module would hard-code. */
function assertNoSentinelLeft(json: string): void {
  const text = /qp_?-?sentinel|qpkms/i.exec(json);
  const number = [...json.matchAll(NUMBER_IN_TEXT)].find((match) => numberExpression.has(Number(match[0])));
  if (text || number) {
    const found = text?.[0] ?? number?.[0];
    const at = json.indexOf(found ?? "");
    throw new Error(`a sentinel is left in the module (${found}): ...${json.slice(Math.max(0, at - 120), at + 40)}...`);
  }
}

function addressOf(blocks: readonly Block[], path: string): string {
  const block = blocks.find((candidate) => candidate.path === path);
  if (!block) throw new Error(`no block at ${path}`);
  return `${block.section === "data" ? "data." : ""}${block.type}.${moduleId(path)}`;
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}

const NUMBER_IN_TEXT = /(?<![\d.])\d+(?![\d.])/g;
const numberExpression = new Map(NUMBER_SENTINELS.map((sentinel) => [sentinel.value, sentinel.expression]));

/** Every sentinel value replaced by its expression; `used` collects the ones found. */
function replaceSentinels(value: unknown, key: string | undefined, used: Set<string>): unknown {
  if (typeof value === "number") {
    const expression = numberExpression.get(value);
    if (expression === undefined) return value;
    used.add(String(value));
    return interpolate(expression);
  }
  if (typeof value === "string") return replaceInText(value, key, used);
  if (Array.isArray(value)) return value.map((item) => replaceSentinels(item, key, used));
  if (value !== null && typeof value === "object") {
    if (isDeepStrictEqual(value, SENTINEL_TAGS)) return "${var.tags}";
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, replaceSentinels(item, name, used)]));
  }
  return value;
}

function replaceInText(text: string, key: string | undefined, used: Set<string>): string {
  const whole = STRING_SENTINELS.find((sentinel) => sentinel.value === text);
  if (whole) {
    used.add(whole.value);
    return interpolate(whole.expression);
  }
  let result = text;
  for (const sentinel of STRING_SENTINELS) {
    if (!result.includes(sentinel.value)) continue;
    used.add(sentinel.value);
    result = result.replaceAll(sentinel.value, interpolate(sentinel.expression));
  }
  if (key !== undefined && NUMBERS_IN_TEXT_ATTRIBUTES.includes(key)) {
    result = result.replace(NUMBER_IN_TEXT, (digits) => {
      const expression = numberExpression.get(Number(digits));
      if (expression === undefined) return digits;
      used.add(digits);
      return interpolate(expression);
    });
    // The construct writes "1 consecutive period", "2 consecutive periods".
    result = result.replace(
      /\$\{([a-zA-Z_.]+\.evaluation_periods)\} consecutive periods of/g,
      (_whole, expression: string) => `\${${expression}} consecutive period\${${expression} == 1 ? "" : "s"} of`,
    );
  }
  return result;
}
