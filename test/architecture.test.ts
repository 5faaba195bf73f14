/**
 * The house rules of the tree: what ships to Lambda (or a consumer container) never pulls in
 * tooling, the rooms depend on each other in one direction, and no file imports its own importer.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { build, type Plugin } from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOMS = ["functions", "modules", "stacks", "local", "review", "bench", "scripts", "config"] as const;
const LAMBDA_ENTRIES = [
  "functions/runtime/index.ts",
  "functions/runtime/poller/index.ts",
  "functions/order-processor/handler.ts",
  "functions/order-processor/consumer.ts",
  "functions/runtime/archiver/handler.ts",
];
/** What the shipped code may import besides `node:*` and the AWS SDK that Lambda's runtime provides. */
const SHIPPED_DEPENDENCIES = ["valibot"];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(ts|mts|mjs)$/.test(file) && !file.endsWith(".d.ts"))
    .map((file) => path.posix.join(folder, file.split(path.sep).join("/")));
}

/** Every relative import of a file, `import type` included, resolved to a project file. */
function relativeImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) =>
      path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, ".ts"),
    );
}

const graph = new Map(ROOMS.flatMap((room) => sourceFiles(room)).map((file) => [file, relativeImports(file)]));

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function importCycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || graph.get(file)!.includes(file)) cycles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

function importsInto(fromRoom: string, forbidden: readonly string[]): string[] {
  return [...graph]
    .filter(([file]) => file.startsWith(`${fromRoom}/`))
    .flatMap(([file, targets]) =>
      targets
        .filter((target) => forbidden.some((room) => target.startsWith(`${room}/`)))
        .map((target) => `${file} -> ${target}`),
    );
}

describe("the tree", () => {
  it("has no import cycles between files, type imports included", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(importCycles()).toEqual([]);
  });

  it("keeps functions/ free of tooling: nothing from modules/, local/, review/, scripts/, bench/ or test/", () => {
    expect(importsInto("functions", ["modules", "local", "review", "scripts", "bench", "test"])).toEqual([]);
  });

  it("keeps the construct free of the local pipeline and the review", () => {
    expect(importsInto("modules", ["local", "review", "bench", "test"])).toEqual([]);
  });

  it("keeps each package inside its folder: the construct reaches the runtime by name only, the runtime reaches no app", () => {
    expect(importsInto("modules", ["functions", "stacks", "config"])).toEqual([]);
    const runtimeOutward = [...graph]
      .filter(([file]) => file.startsWith("functions/runtime/"))
      .flatMap(([file, targets]) =>
        targets.filter((t) => !t.startsWith("functions/runtime/")).map((t) => `${file} -> ${t}`),
      );
    expect(runtimeOutward).toEqual([]);
  });

  it("keeps bench/, local/ and review/ independent of test/", () => {
    expect(importsInto("bench", ["test"])).toEqual([]);
    expect(importsInto("local", ["test", "review", "bench"])).toEqual([]);
    expect(importsInto("review", ["test", "local", "bench"])).toEqual([]);
  });
});

/** Every package is left out of the bundle (and listed as external) except the workspace packages. */
const externalPackagesButWorkspaces: Plugin = {
  name: "external-packages-but-workspaces",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === "entry-point" || args.path.startsWith("@queue-processor/")
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

describe("what ships to Lambda", () => {
  it.each(LAMBDA_ENTRIES)(
    "%s reaches only node:, @aws-sdk/*, its declared dependencies and functions/",
    async (entry) => {
      const { metafile } = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        metafile: true,
        // The runtime is reached by package name, as any team's handler reaches it: its sources count.
        conditions: ["@queue-processor/source"],
        plugins: [externalPackagesButWorkspaces],
        platform: "node",
        format: "esm",
        logLevel: "silent",
      });
      const projectFiles = Object.keys(metafile.inputs);
      expect(projectFiles.filter((file) => !file.startsWith("functions/"))).toEqual([]);
      const packages = new Set(
        Object.values(metafile.inputs)
          .flatMap((input) => input.imports)
          .filter((imported) => imported.external)
          .map((imported) => imported.path),
      );
      const unexpected = [...packages].filter(
        (specifier) =>
          !specifier.startsWith("node:") &&
          !specifier.startsWith("@aws-sdk/") &&
          !SHIPPED_DEPENDENCIES.some((name) => specifier === name || specifier.startsWith(`${name}/`)),
      );
      expect(unexpected).toEqual([]);
    },
  );

  it("declares the shipped dependencies as runtime dependencies", () => {
    const { dependencies } = JSON.parse(readFileSync("package.json", "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const name of SHIPPED_DEPENDENCIES) expect(dependencies).toHaveProperty(name);
  });
});
