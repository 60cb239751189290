// `npm run bench:matmul`: the GFLOP/s ggml's CPU kernels give one product of the reference config's shape
// ([1536 x 576] x [576 x 1024]) with the first operand in F32, BF16 and Q8_0 (the second is F32, converted by
// mul_mat to the kernel's type as in training), beside PyTorch's F32 and BF16 on the same shape when Debian's
// python3-torch is installed. Says which kernel bounds a training mode: a step cannot beat its products' rate.
//   npm run bench:matmul [-- --threads 2]
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GgmlType } from "../src/formats/gguf/index.js";
import { matmulGflops } from "./matmul-peak.js";
import { printTable } from "./stats.js";

const threadsIndex = process.argv.indexOf("--threads");
const threads = threadsIndex > 0 ? Number(process.argv[threadsIndex + 1]) : Number(process.env.BENCH_THREADS ?? 2);
const [m, k, n] = [1536, 576, 1024];
const rows: Array<Record<string, string>> = [];
for (const [name, type] of [["F32", GgmlType.F32], ["BF16", GgmlType.BF16], ["Q8_0", GgmlType.Q8_0]] as const) {
  rows.push({ engine: "ggml (localtune)", operand: name, "GFLOP/s": (await matmulGflops(m, k, n, threads, 15, type)).toFixed(1) });
}
try {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "torch_matmul.py");
  const torch = JSON.parse(execFileSync("/usr/bin/python3", [script, "--threads", String(threads), "--shape", `${m},${k},${n}`], { encoding: "utf8" })) as { f32: number; bf16: number };
  rows.push({ engine: "PyTorch", operand: "F32", "GFLOP/s": torch.f32.toFixed(1) }, { engine: "PyTorch", operand: "BF16", "GFLOP/s": torch.bf16.toFixed(1) });
} catch (error) {
  rows.push({ engine: "PyTorch", operand: "-", "GFLOP/s": `not measured: ${(error as Error).message.split("\n")[0]}` });
}
console.log(`[${m} x ${k}] x [${k} x ${n}], ${threads} threads, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
printTable(rows);
