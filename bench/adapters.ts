// `npm run bench:adapters`: seconds to merge a rank-8 LoRA (all seven projections) into a base GGUF (F32 and Q8_0
// output), and to export it to PEFT and import it back, on a random llama (d576, L8, like bench:forward's reference
// config). Medians of repeated runs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { exportPeftAdapter, importPeftAdapter, mergeAdapters, writeGgufLoraFile } from "../src/adapters/index.js";
import { writeRandomModel } from "../src/engine/random-model.js";
import { median, peakRssBytes, printTable, timeRuns } from "./stats.js";

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-adapters-"));
const base = path.join(tmp, "base.gguf");
const shape = { nLayer: 8, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3 };
await writeRandomModel(base, { arch: "llama", ...shape, vocabFile: path.resolve("test/fixtures/vocab/ggml-vocab-llama-spm.gguf"), seed: 1 });

const rank = 8;
const kv = (shape.nEmbd / shape.nHead) * shape.nHeadKv;
const projections: Record<string, [number, number]> = {
  attn_q: [shape.nEmbd, shape.nEmbd], attn_k: [shape.nEmbd, kv], attn_v: [shape.nEmbd, kv], attn_output: [shape.nEmbd, shape.nEmbd],
  ffn_gate: [shape.nEmbd, shape.nFf], ffn_up: [shape.nEmbd, shape.nFf], ffn_down: [shape.nFf, shape.nEmbd],
};
let seed = 1;
const random = (n: number) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.02);
const pairs = Array.from({ length: shape.nLayer }, (_, layer) =>
  Object.entries(projections).map(([p, [nIn, nOut]]) => ({ name: `blk.${layer}.${p}`, nIn, nOut, rank, a: random(rank * nIn), b: random(nOut * rank) })),
).flat();
const adapter = path.join(tmp, "lora.gguf");
await writeGgufLoraFile(adapter, { arch: "llama", alpha: 16, name: "bench", pairs });
const macs = pairs.reduce((n, p) => n + p.nIn * p.nOut * rank, 0);

const rows: Array<Record<string, string | number>> = [];
for (const type of ["f32", "q8_0"] as const) {
  const seconds = await timeRuns(repeats, 1, () => mergeAdapters({ model: base, adapters: [{ path: adapter }], out: path.join(tmp, `merged-${type}.gguf`), type }));
  rows.push({ task: `merge -> ${type}`, "median s": median(seconds).toFixed(3), "delta GMAC/s": (macs / median(seconds) / 1e9).toFixed(2) });
}
const exportSeconds = await timeRuns(repeats, 1, () => exportPeftAdapter({ adapter, model: base, out: path.join(tmp, "peft") }));
rows.push({ task: "export PEFT", "median s": median(exportSeconds).toFixed(3), "delta GMAC/s": "" });
const importSeconds = await timeRuns(repeats, 1, () => importPeftAdapter({ adapter: path.join(tmp, "peft"), model: base, out: path.join(tmp, "back.gguf") }));
rows.push({ task: "import PEFT", "median s": median(importSeconds).toFixed(3), "delta GMAC/s": "" });

console.log(`llama d${shape.nEmbd} L${shape.nLayer} F32 base (${(fs.statSync(base).size / 2 ** 20).toFixed(0)} MiB), LoRA r${rank} on 7 projections (${(fs.statSync(adapter).size / 2 ** 20).toFixed(1)} MiB)`);
printTable(rows);
console.log(`peak RSS ${(peakRssBytes() / 2 ** 20).toFixed(0)} MiB`);
fs.rmSync(tmp, { recursive: true, force: true });
