// The layers of src/ hold: reads every import between folders of src/ and fails on one that goes from a lower layer
// to a higher one, and on any import cycle between folders. The order is the layer diagram of the design (each folder
// of src/ is one layer; a layer imports only from layers below it, or beside it in the same row without a cycle).
// Known breaks, each with the work that removes it, are listed below: a listed break that is gone fails too, so the
// list only shrinks.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "..", "src");

/** Rows of the layer diagram, top first; a folder imports only from its own row or rows below. */
const ROWS: readonly (readonly string[])[] = [
  ["cli", "server"],
  ["index"], // the public API: src/index.ts
  // models/ (Hugging Face folders in) reuses methods/lora's q/k permutation, as PEFT import does.
  ["doctor", "data", "prompt", "rag", "train", "eval", "report", "adapters", "ladder", "export", "export-job", "models"],
  ["methods"],
  // The engine builds graphs from the architectures' declarations (issue 15, item 2): arch/ is data below it, as
  // engine/model.ts finds the declaration of a file's general.architecture when it loads the file.
  ["engine"],
  ["arch"],
  ["native"],
  ["formats", "fs", "errors", "i18n"],
];

/** Breaks of the diagram that exist today, each with what removes it (issue 15). None: the last one, the public API
 *  re-exporting the servers, ended when the servers became the package's own entry ("localtune/server"). */
const KNOWN_BREAKS: ReadonlySet<string> = new Set<string>([]);

const rowOf = new Map(ROWS.flatMap((row, i) => row.map((layer) => [layer, i] as const)));

/** The layer of a file under src/: its first folder, or the file's own name for src/index.ts and src/errors.ts. */
function layerOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length === 0 ? first!.replace(/\.ts$/, "") : first!;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

/** Relative module specifiers of a file: static imports and re-exports (also `import type`) and dynamic import(). */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.[^"']+)["']/gms)) specs.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s*["'](\.[^"']+)["']/gm)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g)) specs.push(m[1]!);
  return specs;
}

/** Folder-level edges "a -> b" with the files that make each. */
function layerEdges(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    for (const spec of importsOf(fs.readFileSync(file, "utf8"))) {
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(SRC + path.sep)) continue;
      const to = layerOf(target);
      if (to === from) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), path.relative(SRC, file)]);
    }
  }
  return edges;
}

/** Strongly connected groups of more than one folder (Tarjan's algorithm). */
function cycles(edges: Iterable<string>): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = e.split(" -> ") as [string, string];
    next.set(a, [...(next.get(a) ?? []), b]);
    if (!next.has(b)) next.set(b, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe("layers of src/", () => {
  const edges = layerEdges();

  it("places every folder of src/ in the diagram", () => {
    const layers = new Set(sourceFiles(SRC).map(layerOf));
    expect([...layers].filter((l) => !rowOf.has(l))).toEqual([]);
  });

  it("has no import from a lower layer to a higher one beyond the known breaks", () => {
    const upward = [...edges.keys()].filter((e) => {
      const [a, b] = e.split(" -> ") as [string, string];
      return rowOf.get(b)! < rowOf.get(a)!;
    });
    const unexpected = upward.filter((e) => !KNOWN_BREAKS.has(e)).map((e) => `${e} (${edges.get(e)!.join(", ")})`);
    expect(unexpected).toEqual([]);
    // A known break that is fixed leaves the list.
    expect([...KNOWN_BREAKS].filter((e) => !upward.includes(e))).toEqual([]);
  });

  it("has no import cycle between folders beyond the known breaks", () => {
    const allowed = [...edges.keys()].filter((e) => !KNOWN_BREAKS.has(e));
    expect(cycles(allowed)).toEqual([]);
  });

  it("reads static, type-only, re-export, multi-line and dynamic imports", () => {
    const text = [
      'import fs from "node:fs";',
      'import type { A } from "../a/x.js";',
      "import {\n  b,\n  c,\n} from \"./b.js\";",
      'export { d } from "../d/index.js";',
      'export * from "./e.js";',
      'const f = await import("../f/g.js");',
      'const text = "import nothing from here";',
    ].join("\n");
    expect(importsOf(text)).toEqual(["../a/x.js", "./b.js", "../d/index.js", "./e.js", "../f/g.js"]);
  });

  it("finds a cycle between folders", () => {
    expect(cycles(["a -> b", "b -> c", "c -> a", "c -> d"])).toEqual([["a", "b", "c"]]);
  });
});
