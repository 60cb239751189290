// `npm run bench:doctor`: how close `localtune doctor`'s estimates come to real training on this machine. Runs
// `localtune doctor --calibrate --verify --json` BENCH_REPEATS times (default 3; each calibrates afresh, then trains
// the three verify configurations for a few steps) and prints, per configuration, the median relative error of the
// estimated step time and peak memory. The bar is +-35%; the script exits 1 when a median misses it.
// Timing belongs here, not in npm test: the machine is shared and noisy (test/doctor-verify.test.ts checks memory).
import { execFileSync } from "node:child_process";
import os from "node:os";
import { median, printTable } from "./stats.js";

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const threads = Number(process.env.BENCH_THREADS ?? 1);
const BAR = 0.35;

interface VerifyRow {
  config: { name: string };
  estimatedStepSeconds: number | null;
  measuredStepSeconds: number;
  estimatedPeakBytes: number;
  measuredPeakBytes: number;
}

const errors = new Map<string, { time: number[]; memory: number[] }>();
for (let i = 0; i < repeats; i++) {
  process.stderr.write(`run ${i + 1}/${repeats} (load average ${os.loadavg()[0]!.toFixed(2)})\n`);
  const out = execFileSync(process.execPath, ["bin/localtune.js", "doctor", "--calibrate", "--verify", "--json", "--threads", String(threads)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const report = JSON.parse(out) as { verify: VerifyRow[] };
  for (const row of report.verify) {
    const entry = errors.get(row.config.name) ?? { time: [], memory: [] };
    if (row.estimatedStepSeconds !== null) entry.time.push(row.estimatedStepSeconds / row.measuredStepSeconds - 1);
    entry.memory.push(row.estimatedPeakBytes / row.measuredPeakBytes - 1);
    errors.set(row.config.name, entry);
  }
}

const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(0)}%`;
let missed = false;
const rows = [...errors].map(([name, e]) => {
  const time = median(e.time);
  const memory = median(e.memory);
  if (!(Math.abs(time) <= BAR && Math.abs(memory) <= BAR)) missed = true;
  return { configuration: name, "time error (median)": pct(time), "time errors": e.time.map(pct).join(" "), "memory error (median)": pct(memory), "memory errors": e.memory.map(pct).join(" ") };
});
console.log(`${repeats} runs at ${threads} thread(s); load average now ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
printTable(rows);
console.log(missed ? `a median error is outside +-${100 * BAR}%` : `every median error is within +-${100 * BAR}%`);
process.exit(missed ? 1 : 0);
