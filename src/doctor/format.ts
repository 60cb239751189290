// Renders a doctor report as aligned text tables in English or Korean (Hangul counts two columns wide).
import { msg, type Bilingual, type Lang } from "../i18n/index.js";
import type { DoctorReport } from "./doctor.js";
import { formatDuration, type Plan, type RungPlan } from "./plan.js";
import { rungIds } from "./rungs.js";
import { relativeError, type VerifyResult } from "./verify.js";

/** Terminal columns of a string: East Asian wide characters (Hangul, CJK, full-width forms) take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const wide =
      (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6);
    width += wide ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number, right = false): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

/** Aligned columns; `rightAligned` lists numeric column indexes. */
export function table(rows: string[][], rightAligned: readonly number[] = []): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ""))));
  return rows.map((r) => r.map((cell, i) => pad(cell, widths[i]!, rightAligned.includes(i))).join("  ").trimEnd()).join("\n");
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

export function formatFlops(f: number): string {
  const units: Array<[number, string]> = [[1e18, "EFLOP"], [1e15, "PFLOP"], [1e12, "TFLOP"], [1e9, "GFLOP"], [1e6, "MFLOP"]];
  const [scale, unit] = units.find(([s]) => f >= s) ?? [1, "FLOP"];
  return `${(f / scale).toFixed(1)} ${unit}`;
}

const T = {
  system: { en: "System", ko: "시스템" },
  cpu: { en: "CPU", ko: "CPU" },
  cores: { en: "{cores} cores / {threads} threads", ko: "{cores}코어 / {threads}스레드" },
  devices: { en: "Compute devices (node-llama-cpp {build} build)", ko: "계산 장치 (node-llama-cpp {build} 빌드)" },
  deviceMemory: { en: "{free} free of {total}", ko: "{total} 중 {free} 여유" },
  onDevice: { en: "The same on {device}, {memory} usable (times by FLOPs: calibration covers the computing device)", ko: "{device}에서 같은 계획, 사용 가능 {memory} (시간은 FLOPs 기준: 보정은 계산 장치만 측정)" },
  softwareDevice: { en: "software device (slow; never chosen by --device auto)", ko: "소프트웨어 장치 (느림, --device auto는 고르지 않음)" },
  ram: { en: "{total} total, {available} available", ko: "전체 {total}, 사용 가능 {available}" },
  disk: { en: "{free} free in {path}", ko: "{path}에 {free} 남음" },
  gpuNone: { en: "none ({why})", ko: "없음 ({why})" },
  backend: { en: "Compute backend", ko: "계산 백엔드" },
  calibration: { en: "Calibration", ko: "보정" },
  calMissing: { en: "not calibrated: times unknown until calibration runs ({file})", ko: "보정 안 됨: 보정을 실행하기 전에는 시간을 알 수 없음 ({file})" },
  calInvalid: { en: "calibration file unreadable, ignored until calibration runs again: {file}: {reason}", ko: "보정 파일을 읽을 수 없어 다시 보정할 때까지 쓰지 않음: {file}: {reason}" },
  calOk: {
    en: "measured {when} at {threads} thread(s) ({file}); process baseline {runtime}",
    ko: "{when}에 스레드 {threads}개로 측정 ({file}); 프로세스 기본 메모리 {runtime}",
  },
  calFits: { en: "  {mode} {type}: {gflops} GFLOP/s + {perLayer} ms per layer per step", ko: "  {mode} {type}: {gflops} GFLOP/s + 스텝당 층마다 {perLayer} ms" },
  verdict: { en: "Verdict", ko: "판정" },
  plan: { en: "Plan", ko: "계획" },
  planHead: {
    en: "{name}: {arch}, {layers} layers, d {d}, {params} parameters, {type} - {tokens} tokens ({source}), ctx {ctx}, batch {batch}, {threads} thread(s)",
    ko: "{name}: {arch}, {layers}층, d {d}, 파라미터 {params}개, {type} - 토큰 {tokens}개 ({source}), ctx {ctx}, batch {batch}, 스레드 {threads}개",
  },
  rankedBy: { en: "ranked fastest first by {by}", ko: "빠른 순 정렬 기준: {by}" },
  byTime: { en: "measured time", ko: "측정 시간" },
  byFlops: { en: "FLOPs (not calibrated)", ko: "FLOPs (보정 안 됨)" },
  recommended: { en: "Recommended", ko: "추천" },
  unknown: { en: "unknown", ko: "알 수 없음" },
  sizes: { en: "Common model sizes (give --model or --model-shape for a full plan)", ko: "대표 모델 크기 (전체 계획은 --model 또는 --model-shape)" },
} satisfies Record<string, Bilingual>;

const HEAD: Record<Lang, string[]> = {
  en: ["#", "rung", "trainable", "peak memory", "fits", "FLOPs/epoch", "s/step", "time/epoch"],
  ko: ["#", "단계", "학습 파라미터", "최대 메모리", "가능", "에포크 FLOPs", "초/스텝", "에포크 시간"],
};
const FIT: Record<Lang, Record<RungPlan["fit"], string>> = {
  en: { yes: "yes", tight: "tight", no: "NO" },
  ko: { yes: "예", tight: "빠듯", no: "아니오" },
};
const SOURCE: Record<string, Bilingual> = {
  records: { en: "counted by data prepare", ko: "데이터 준비 단계의 집계" },
  tokenizer: { en: "model tokenizer", ko: "모델 토크나이저" },
  "bytes-upper-bound": { en: "upper bound: UTF-8 bytes, give --model to count exactly", ko: "상한: UTF-8 바이트 수, 정확히 세려면 --model" },
  given: { en: "--tokens", ko: "--tokens" },
  default: { en: "default, give --data or --tokens", ko: "기본값, --data 또는 --tokens 지정" },
};

function planTable(plan: Plan, lang: Lang): string {
  const rows = [HEAD[lang]];
  plan.rungs.forEach((r, i) => {
    rows.push([
      String(i + 1),
      r.id,
      formatCount(r.trainableParams),
      formatBytes(r.memory.totalBytes),
      // "ckpt": fits only with activation checkpointing, which training turns on by itself.
      `${FIT[lang][r.fit]}${r.checkpointed ? (lang === "ko" ? " (체크포인팅)" : " (ckpt)") : ""}`,
      formatFlops(r.epochFlops),
      r.stepSeconds === null ? "-" : r.stepSeconds.toFixed(r.stepSeconds < 1 ? 3 : 1),
      r.epochSeconds === null ? msg(T.unknown, {}, lang) : formatDuration(r.epochSeconds),
    ]);
  });
  return table(rows, [0, 2, 3, 5, 6, 7]);
}

function sizesTable(plans: Plan[], lang: Lang): string {
  const order = rungIds();
  const rows = [[lang === "ko" ? "모델" : "model", ...order, lang === "ko" ? "추천" : "recommended"]];
  for (const p of plans) {
    rows.push([
      `${p.model.name} (${formatCount(p.model.totalParams)})`,
      ...order.map((id) => {
        const r = p.rungs.find((x) => x.id === id)!;
        return `${formatBytes(r.memory.totalBytes)}${r.fit === "no" ? " ✗" : r.fit === "tight" ? " ~" : ""}${r.checkpointed ? " c" : ""}`;
      }),
      p.recommendation.rung,
    ]);
  }
  return table(rows, order.map((_, i) => i + 1));
}

/** The whole report as text. */
export function formatDoctorReport(report: DoctorReport, lang: Lang): string {
  const hw = report.hardware;
  const out: string[] = [];
  const line = (label: string, value: string) => out.push(`  ${pad(label, 8)}  ${value}`);
  out.push(`localtune doctor ${report.localtuneVersion}`, "", `${msg(T.system, {}, lang)}`);
  line("OS", `${hw.os.platform} ${hw.os.release} ${hw.os.arch}`);
  line("CPU", `${hw.cpu.model}, ${msg(T.cores, { cores: hw.cpu.cores, threads: hw.cpu.threads }, lang)}`);
  line("SIMD", hw.cpu.simd.join(" ") || "-");
  line("RAM", msg(T.ram, { total: formatBytes(hw.memory.totalBytes), available: formatBytes(hw.memory.availableBytes) }, lang));
  line("Disk", msg(T.disk, { free: formatBytes(hw.disk.freeBytes), path: hw.disk.path }, lang));
  if (hw.gpus.length === 0) {
    const n = hw.nvidia;
    const why = n.status === "missing" ? "nvidia-smi not found" : n.status === "ok" ? "nvidia-smi listed none" : n.message;
    line("GPU", msg(T.gpuNone, { why }, lang));
  }
  for (const g of hw.gpus) {
    const vram = g.vramTotalBytes === null ? "VRAM ?" : `VRAM ${formatBytes(g.vramTotalBytes)} (${formatBytes(g.vramFreeBytes ?? 0)} free)`;
    const driver = g.driverVersion ? `, driver ${g.driverVersion}` : "";
    const cuda = g.cudaVersion ? `, CUDA ${g.cudaVersion}` : "";
    line("GPU", `${g.vendor} ${g.name}, ${vram}${driver}${cuda}`);
  }
  // Every ggml device of the loaded build; the one computing is marked, software rasterizers are named as such.
  out.push("", msg(T.devices, { build: hw.runtime.loaded === false ? "cpu" : hw.runtime.loaded }, lang));
  for (const d of hw.devices) {
    const mark = d.name === hw.compute.device.name ? "✔" : "·";
    const memory = d.type === "cpu" ? "" : `, ${msg(T.deviceMemory, { free: formatBytes(d.freeBytes), total: formatBytes(d.totalBytes) }, lang)}`;
    const soft = d.software ? `, ${msg(T.softwareDevice, {}, lang)}` : "";
    out.push(`  ${mark} ${pad(d.name, 8)} ${d.type} ${d.backend}: ${d.description}${memory}${soft}`);
  }
  out.push(`  → ${msg(hw.compute.reason, {}, lang)}`);
  out.push("", msg(T.backend, {}, lang));
  for (const s of hw.backend.statuses) {
    const mark = s.backend === hw.backend.backend ? "✔" : s.usable ? "·" : "✗";
    out.push(`  ${mark} ${pad(s.backend, 7)} ${msg(s.reason, {}, lang)}`);
  }
  const cal = report.calibration;
  const calText =
    cal.status === "calibrated"
      ? msg(T.calOk, {
          when: cal.calibration.measuredAt,
          threads: [...new Set(cal.calibration.fits.map((f) => f.threads))].join(", "),
          file: cal.file,
          runtime: formatBytes(cal.calibration.runtimeBytes),
        }, lang)
      : cal.status === "invalid"
        ? msg(T.calInvalid, { file: cal.file, reason: cal.reason }, lang)
        : msg(T.calMissing, { file: cal.file }, lang);
  out.push("", `${msg(T.calibration, {}, lang)}: ${calText}`);
  if (cal.status === "calibrated") {
    for (const f of cal.calibration.fits.filter((x) => x.threads === report.threads && x.backend === hw.backend.backend)) {
      out.push(msg(T.calFits, { mode: f.mode, type: f.baseType, gflops: f.gflops.toFixed(1), perLayer: (1000 * f.secondsPerLayer).toFixed(1) }, lang));
    }
  }
  out.push("", `${msg(T.verdict, {}, lang)}: ${msg(report.verdict, {}, lang)}`);

  if (report.plans.length > 1) {
    out.push("", `${msg(T.sizes, {}, lang)}; ${msg(SOURCE[report.dataset.source]!, {}, lang)}: ${report.dataset.tokens.toLocaleString("en")}`);
    out.push(sizesTable(report.plans, lang));
    for (const other of report.otherDevices) {
      out.push("", msg(T.onDevice, { device: `${other.device.name} (${other.device.description})`, memory: formatBytes(other.memoryBytes) }, lang));
      out.push(sizesTable(other.plans, lang));
    }
    out.push(
      lang === "ko"
        ? "✗ 메모리에 안 들어감, ~ 빠듯함, c 활성값 체크포인팅을 켜야 들어감 (학습이 자동으로 켬)"
        : "✗ does not fit, ~ tight, c fits only with activation checkpointing (training turns it on by itself)",
    );
    return out.join("\n");
  }
  const plan = report.plans[0]!;
  const m = plan.model;
  out.push("", `${msg(T.plan, {}, lang)}: ${msg(T.planHead, {
    name: m.name, arch: m.arch, layers: m.nLayer, d: m.nEmbd, params: formatCount(m.totalParams), type: m.weightType,
    tokens: plan.tokens.toLocaleString("en"), source: msg(SOURCE[report.dataset.source]!, {}, lang),
    ctx: Math.min(report.options.ctx, m.nCtxTrain), batch: report.options.batch, threads: report.threads,
  }, lang)}`);
  out.push(`  (${msg(T.rankedBy, { by: msg(plan.rankedBy === "time" ? T.byTime : T.byFlops, {}, lang) }, lang)})`);
  out.push(planTable(plan, lang));
  for (const other of report.otherDevices) {
    out.push("", msg(T.onDevice, { device: `${other.device.name} (${other.device.description})`, memory: formatBytes(other.memoryBytes) }, lang));
    out.push(planTable(other.plans[0]!, lang));
  }
  out.push("", `${msg(T.recommended, {}, lang)}: ${msg(plan.recommendation.reason, {}, lang)}`);
  // One line per distinct note, naming every rung it applies to.
  const notes = new Map<string, string[]>();
  for (const r of plan.rungs) for (const n of r.notes) notes.set(msg(n, {}, lang), [...(notes.get(msg(n, {}, lang)) ?? []), r.id]);
  for (const [text, ids] of notes) out.push(`  ${ids.join(", ")}: ${text}`);
  return out.join("\n");
}

const VERIFY_HEAD: Record<Lang, string[]> = {
  en: ["configuration", "est. s/step", "measured", "error", "est. peak", "measured peak", "error"],
  ko: ["구성", "예상 초/스텝", "측정", "오차", "예상 최대 메모리", "측정 최대 메모리", "오차"],
};

const percent = (e: number) => `${e >= 0 ? "+" : ""}${(100 * e).toFixed(0)}%`;

/** The --verify table: estimated against measured time per step and peak resident memory. */
export function formatVerify(results: readonly VerifyResult[], lang: Lang): string {
  const rows = [VERIFY_HEAD[lang]];
  for (const r of results) {
    const est = r.estimatedStepSeconds;
    rows.push([
      r.config.name,
      est === null ? msg(T.unknown, {}, lang) : est.toFixed(3),
      r.measuredStepSeconds.toFixed(3),
      est === null ? "-" : percent(relativeError(est, r.measuredStepSeconds)),
      formatBytes(r.estimatedPeakBytes),
      formatBytes(r.measuredPeakBytes),
      percent(relativeError(r.estimatedPeakBytes, r.measuredPeakBytes)),
    ]);
  }
  const first = results[0];
  const note = first
    ? msg({
        en: "{steps} real steps each through the training child at {threads} thread(s); measured time is the median step after the first, measured peak is the child's peak RSS.",
        ko: "각 구성을 학습 자식 프로세스로 실제 {steps}스텝, 스레드 {threads}개로 실행; 측정 시간은 첫 스텝을 뺀 중앙값, 측정 메모리는 자식 프로세스의 최대 RSS입니다.",
      }, { steps: first.steps, threads: first.threads }, lang)
    : "";
  return `${table(rows, [1, 2, 3, 4, 5, 6])}\n${note}`;
}
