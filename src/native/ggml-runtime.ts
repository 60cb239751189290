// Loads ggml (the copy node-llama-cpp loaded), checks its ABI, and opens a compute backend (CPU threads or a GPU).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import koffi from "koffi";
import { LocaltuneError, NativeAbiError } from "../errors.js";
import { bindGgml, GGML_OBJECT_SIZE, ggmlSetThreadsProto, ggmlTensorStruct, type GgmlApi, type GgmlBackend, type GgmlDevice } from "./ggml-bindings.js";
import { locateGgmlLibraries, type GgmlLibraryPaths } from "./ggml-paths.js";
import { getLlamaRuntime, type GpuChoice } from "./llama-runtime.js";

/** The node-llama-cpp release whose ggml layout these bindings mirror. */
export const EXPECTED_NODE_LLAMA_CPP_VERSION = "3.21.1";

export const GGML_DEVICE_TYPE = { cpu: 0, gpu: 1, igpu: 2, accel: 3 } as const;

export interface GgmlRuntime {
  api: GgmlApi;
  paths: GgmlLibraryPaths;
  /** Registered backends (e.g. ["CPU"], or ["CUDA", "CPU"]). */
  registeredBackends: string[];
}

let runtime: Promise<GgmlRuntime> | undefined;

/** Loads and checks ggml once per process. `gpu` chooses which node-llama-cpp build supplies the libraries. */
export function loadGgml(gpu: GpuChoice = "auto"): Promise<GgmlRuntime> {
  runtime ??= (async () => {
    checkNodeLlamaCppVersion();
    await getLlamaRuntime({ gpu });
    const paths = locateGgmlLibraries();
    const api = bindGgml(paths.base, paths.registry);
    checkGgmlAbi(api);
    // node-llama-cpp has loaded the backends of this folder already; this registers nothing twice (FINDINGS trap 18).
    api.ggml_backend_load_all_from_path(paths.binDir);
    const registeredBackends = Array.from({ length: api.ggml_backend_reg_count() }, (_, i) =>
      api.ggml_backend_reg_name(api.ggml_backend_reg_get(i)),
    );
    return { api, paths, registeredBackends };
  })();
  return runtime;
}

function checkNodeLlamaCppVersion(): void {
  // require.resolve("node-llama-cpp/package.json") fails on its exports map (FINDINGS trap 12): walk up from the main file.
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
  /** Device kind to compute on. "cpu" always works; "gpu" takes the first GPU device. Default "cpu". */
  device?: "cpu" | "gpu";
  /** CPU threads (CPU backend only). Default: the number of available cores. */
  threads?: number;
}

/** An initialised ggml backend; dispose() frees it. */
export interface ComputeBackend {
  handle: GgmlBackend;
  device: GgmlDevice;
  /** Short name, e.g. "CPU" or "CUDA0". */
  name: string;
  /** Device description, e.g. the CPU or GPU model. */
  description: string;
  threads: number;
  dispose(): void;
}

export function openBackend(rt: GgmlRuntime, options: BackendOptions = {}): ComputeBackend {
  const { api } = rt;
  const wanted = options.device === "gpu" ? [GGML_DEVICE_TYPE.gpu, GGML_DEVICE_TYPE.igpu] : [GGML_DEVICE_TYPE.cpu];
  const devices = Array.from({ length: api.ggml_backend_dev_count() }, (_, i) => api.ggml_backend_dev_get(i));
  const device = devices.find((d) => (wanted as number[]).includes(api.ggml_backend_dev_type(d)));
  if (!device) {
    throw new LocaltuneError({
      en: `no ${options.device ?? "cpu"} device among the ggml backends (${rt.registeredBackends.join(", ")}). Use --device cpu, or install a GPU build of node-llama-cpp.`,
      ko: `ggml 백엔드(${rt.registeredBackends.join(", ")})에 ${options.device ?? "cpu"} 장치가 없습니다. --device cpu를 쓰거나 GPU용 node-llama-cpp 빌드를 설치하세요.`,
    });
  }
  const handle = api.ggml_backend_dev_init(device, null);
  if (!handle) throw new LocaltuneError(`ggml could not initialise device ${api.ggml_backend_dev_name(device)}.`);
  const threads = options.threads ?? Math.max(1, (process.env.LOCALTUNE_THREADS ? Number(process.env.LOCALTUNE_THREADS) : 0) || defaultThreads());
  if (api.ggml_backend_dev_type(device) === GGML_DEVICE_TYPE.cpu) {
    // The thread count is set through the backend registry's proc address (FINDINGS trap 3).
    const setThreads = api.ggml_backend_reg_get_proc_address(api.ggml_backend_dev_backend_reg(device), "ggml_backend_set_n_threads");
    if (setThreads) koffi.call(setThreads, ggmlSetThreadsProto, handle, threads);
  }
  return {
    handle,
    device,
    name: api.ggml_backend_name(handle),
    description: api.ggml_backend_dev_description(device),
    threads,
    dispose: () => api.ggml_backend_free(handle),
  };
}

/** Physical cores are what matter for matmul; availableParallelism counts hyper-threads, so this may overshoot on SMT machines. */
export function defaultThreads(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
}
