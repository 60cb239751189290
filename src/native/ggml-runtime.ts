// Loads ggml (the copy node-llama-cpp loaded), checks its ABI, and opens a compute backend (CPU threads or a GPU).
import { loadCpuVariant } from "./cpu-variant.js";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import koffi from "koffi";
import { LocaltuneError, NativeAbiError } from "../errors.js";
import { bindGgml, GGML_OBJECT_SIZE, ggmlSetThreadsProto, ggmlTensorStruct, type GgmlApi, type GgmlBackend, type GgmlDevice } from "./ggml-bindings.js";
import { locateGgmlLibraries, type GgmlLibraryPaths } from "./ggml-paths.js";
import { getLlamaRuntime } from "./llama-runtime.js";
import { currentDeviceChoice, type DeviceChoice } from "./device-choice.js";
import { listGgmlDevices, pickDevice, type GgmlDeviceInfo } from "./ggml-devices.js";
import { resolveThreads } from "./threads.js";
import type { Bilingual } from "../i18n/index.js";

/** The node-llama-cpp release whose ggml layout these bindings mirror. */
export const EXPECTED_NODE_LLAMA_CPP_VERSION = "3.21.1";

export { GGML_DEVICE_TYPE } from "./ggml-devices.js";

export interface GgmlRuntime {
  api: GgmlApi;
  paths: GgmlLibraryPaths;
  /** Registered backends (e.g. ["CPU"], or ["CUDA", "CPU"]). */
  registeredBackends: string[];
  /** The CPU device the engine computes on when LOCALTUNE_CPU_VARIANT names a build (cpu-variant.ts). */
  cpuVariant?: { name: string; device: GgmlDevice };
}

let runtime: Promise<GgmlRuntime> | undefined;

/**
 * Loads and checks ggml once per process, from the node-llama-cpp build of the process's device choice (`gpu`, when
 * given, must agree with it: see device-choice.ts).
 */
export function loadGgml(gpu?: DeviceChoice): Promise<GgmlRuntime> {
  if (gpu !== undefined) void getLlamaRuntime({ gpu });
  runtime ??= (async () => {
    checkNodeLlamaCppVersion();
    await getLlamaRuntime();
    const paths = locateGgmlLibraries();
    const api = bindGgml(paths.base, paths.registry);
    checkGgmlAbi(api);
    // node-llama-cpp has loaded the backends of this folder already; this registers nothing twice (docs/engine-notes.md, "one ggml per process").
    api.ggml_backend_load_all_from_path(paths.binDir);
    const registeredBackends = Array.from({ length: api.ggml_backend_reg_count() }, (_, i) =>
      api.ggml_backend_reg_name(api.ggml_backend_reg_get(i)),
    );
    const variant = process.env.LOCALTUNE_CPU_VARIANT;
    const cpuVariant = variant ? { name: variant, device: loadCpuVariant(api, paths.binDir, variant) } : undefined;
    return { api, paths, registeredBackends, ...(cpuVariant ? { cpuVariant } : {}) };
  })();
  return runtime;
}

function checkNodeLlamaCppVersion(): void {
  // require.resolve("node-llama-cpp/package.json") fails on its exports map: walk up from the main file.
  let dir = path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };
  if (version !== EXPECTED_NODE_LLAMA_CPP_VERSION) {
    throw new NativeAbiError(
      `localtune's ggml bindings were written for node-llama-cpp ${EXPECTED_NODE_LLAMA_CPP_VERSION}, but ${version} is installed. Reinstall the pinned version with npm ci.`,
    );
  }
}

/** Fails loudly if struct ggml_tensor or type sizes differ from the layout mirrored in ggml-bindings.ts. */
export function checkGgmlAbi(api: GgmlApi): void {
  const fail = (what: string, expected: unknown, found: unknown) => {
    throw new NativeAbiError(
      `ggml ABI mismatch (${what}): expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}. localtune needs node-llama-cpp ${EXPECTED_NODE_LLAMA_CPP_VERSION} exactly; reinstall with npm ci.`,
    );
  };
  const expectedOverhead = GGML_OBJECT_SIZE + koffi.sizeof(ggmlTensorStruct);
  const overhead = api.ggml_tensor_overhead();
  if (overhead !== expectedOverhead) fail("ggml_tensor_overhead", expectedOverhead, overhead);
  if (api.ggml_type_size(8) !== 34 || api.ggml_blck_size(8) !== 32) fail("Q8_0 block", [34, 32], [api.ggml_type_size(8), api.ggml_blck_size(8)]);
  const ctx = api.ggml_init({ mem_size: 4 * overhead, mem_buffer: null, no_alloc: true });
  try {
    const tensor = api.ggml_new_tensor_3d(ctx, 0, 3, 5, 7);
    api.ggml_set_name(tensor, "abi-check");
    const decoded = koffi.decode(tensor, ggmlTensorStruct) as { type: number; ne: number[]; nb: number[]; name: string };
    const seen = { type: decoded.type, ne: [...decoded.ne].map(Number), nb: [...decoded.nb].map(Number), name: decoded.name };
    const expected = { type: 0, ne: [3, 5, 7, 1], nb: [4, 12, 60, 420], name: "abi-check" };
    if (JSON.stringify(seen) !== JSON.stringify(expected)) fail("struct ggml_tensor round-trip", expected, seen);
  } finally {
    api.ggml_free(ctx);
  }
}

export interface BackendOptions {
  /** Where to compute: the process's --device choice by default ("auto": a real GPU when one fits, else the CPU). */
  device?: DeviceChoice;
  /** CPU threads (the CPU backend, and the CPU half of a GPU scheduler). Default: the thread rule of threads.ts. */
  threads?: number;
  /** Weights of the model to run, for the thread rule (tiny models get one thread). */
  parameterCount?: number;
  /** Bytes the work needs on the device (weights, state, activations), for auto's choice. */
  neededBytes?: number;
}

/** An initialised ggml backend; dispose() frees it. */
export interface ComputeBackend {
  handle: GgmlBackend;
  device: GgmlDevice;
  /** Short name, e.g. "CPU", "Vulkan0" or "CUDA0". */
  name: string;
  /** Device description, e.g. the CPU or GPU model. */
  description: string;
  /** The device as listed (type, backend, memory, software or not). */
  info: GgmlDeviceInfo;
  /** Why this device was chosen (for the run log). */
  reason: Bilingual;
  threads: number;
  /** The CPU backend a GPU scheduler needs last (ggml asserts it), for ops the GPU cannot run; undefined on the CPU. */
  cpuFallback: GgmlBackend | undefined;
  /** Backends for ggml_backend_sched_new: the device first, the CPU last. */
  schedulerBackends: BigUint64Array;
  dispose(): void;
}

/** Sets a CPU backend's thread count through the registry's proc address (docs/engine-notes.md, "CPU threads"). */
function setCpuThreads(api: GgmlApi, device: GgmlDevice, handle: GgmlBackend, threads: number): void {
  const setThreads = api.ggml_backend_reg_get_proc_address(api.ggml_backend_dev_backend_reg(device), "ggml_backend_set_n_threads");
  if (setThreads) koffi.call(setThreads, ggmlSetThreadsProto, handle, threads);
}

export function openBackend(rt: GgmlRuntime, options: BackendOptions = {}): ComputeBackend {
  const { api } = rt;
  // With a CPU variant loaded there are two CPU devices: the engine computes on the variant's.
  const variant = rt.cpuVariant?.device;
  const devices = listGgmlDevices(api).filter((d) => d.type !== "cpu" || variant === undefined || d.handle === variant);
  const { device: info, reason } = pickDevice(devices, options.device ?? currentDeviceChoice(), options.neededBytes);
  const init = (d: GgmlDeviceInfo) => {
    const handle = api.ggml_backend_dev_init(d.handle, null);
    if (!handle) throw new LocaltuneError({ en: `ggml could not initialise device ${d.name} (${d.description}).`, ko: `ggml이 장치 ${d.name} (${d.description})을(를) 초기화하지 못했습니다.` });
    return handle;
  };
  const threads = resolveThreads({
    ...(options.threads !== undefined ? { requested: options.threads } : {}),
    ...(options.parameterCount !== undefined ? { parameterCount: options.parameterCount } : {}),
  });
  const handle = init(info);
  let cpuFallback: GgmlBackend | undefined;
  if (info.type === "cpu") {
    setCpuThreads(api, info.handle, handle, threads);
  } else {
    const cpu = devices.find((d) => d.type === "cpu");
    if (!cpu) throw new NativeAbiError("ggml registered no CPU device, which every node-llama-cpp build has; reinstall with npm ci.");
    cpuFallback = init(cpu);
    setCpuThreads(api, cpu.handle, cpuFallback, threads);
  }
  return {
    handle,
    device: info.handle,
    name: api.ggml_backend_name(handle),
    description: info.description,
    info,
    reason,
    threads,
    cpuFallback,
    schedulerBackends: new BigUint64Array(cpuFallback ? [handle as unknown as bigint, cpuFallback as unknown as bigint] : [handle as unknown as bigint]),
    dispose: () => {
      api.ggml_backend_free(handle);
      if (cpuFallback) api.ggml_backend_free(cpuFallback);
    },
  };
}
