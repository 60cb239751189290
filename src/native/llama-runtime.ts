// The one entry to node-llama-cpp: the process's single Llama instance (built from the process's device choice, see
// device-choice.ts), model loading with clear errors, and the thread count every context gets.
// Inference, tokenization, chat templates and embeddings come from here (node-llama-cpp's public API).
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from "node-llama-cpp";
import { DeviceConflictError, DeviceUnavailableError, LocaltuneError } from "../errors.js";
import {
  buildServes,
  currentBuild,
  currentDeviceChoice,
  nodeLlamaCppGpuOption,
  recordLoadedBuild,
  selectDevice,
  type DeviceChoice,
} from "./device-choice.js";
import { resolveModelPath } from "./model-source.js";
import { resolveThreads } from "./threads.js";

/** Kept for callers that name the choice "gpu": the same values as DeviceChoice. */
export type GpuChoice = DeviceChoice;

export interface LlamaRuntimeOptions {
  /** Compute device for this call. Must agree with the process's choice once a build is loaded. Default: the process's choice. */
  gpu?: DeviceChoice;
  /** Print llama.cpp's own log lines (warnings and up). Default false. */
  verboseNativeLogs?: boolean;
}

let runtime: Promise<Llama> | undefined;

/** Checks a per-call device against the loaded build, or fixes the process's choice when nothing is loaded yet. */
function acceptDevice(choice: DeviceChoice): void {
  const build = currentBuild();
  if (build === undefined) selectDevice(choice);
  else if (!buildServes(build, choice)) throw new DeviceConflictError(choice, build);
}

/** The process-wide node-llama-cpp instance (created once, prebuilt binaries only, from the process's device choice). */
export function getLlamaRuntime(options: LlamaRuntimeOptions = {}): Promise<Llama> {
  if (options.gpu !== undefined) acceptDevice(options.gpu);
  runtime ??= (async () => {
    const choice = currentDeviceChoice();
    let llama: Llama;
    try {
      llama = await getLlama({
        gpu: nodeLlamaCppGpuOption(choice),
        build: "never",
        logLevel: options.verboseNativeLogs ? LlamaLogLevel.warn : LlamaLogLevel.error,
      });
    } catch (error) {
      runtime = undefined;
      if (choice === "auto" || choice === "cpu") throw error;
      throw new DeviceUnavailableError(choice, (error as Error).message, {
        en: `node-llama-cpp has no working ${choice} build here: install the GPU driver${choice === "cuda" ? " and the CUDA runtime" : ""}, or use --device auto or cpu.`,
        ko: `여기서는 node-llama-cpp의 ${choice} 빌드가 동작하지 않습니다: GPU 드라이버${choice === "cuda" ? "와 CUDA 런타임" : ""}을 설치하거나 --device auto 또는 cpu를 쓰세요.`,
      });
    }
    recordLoadedBuild(llama.gpu === false ? "cpu" : llama.gpu);
    return llama;
  })();
  return runtime;
}

/** Threads for a node-llama-cpp context on `model`: the one rule of threads.ts with node-llama-cpp's math cores. */
export function llamaContextThreads(llama: Llama, model: LlamaModel, requested?: number): number {
  let parameterCount: number | undefined;
  try {
    parameterCount = model.fileInsights.totalParameters;
  } catch {
    parameterCount = undefined;
  }
  return resolveThreads({ ...(requested !== undefined ? { requested } : {}), ...(parameterCount !== undefined ? { parameterCount } : {}), mathCores: llama.cpuMathCores });
}

export interface LoadModelOptions extends LlamaRuntimeOptions {
  /** Layers to offload to the GPU: "auto" (as many as fit), "max", or a number. Default "auto" (0 with --device cpu). */
  gpuLayers?: "auto" | "max" | number;
  /** Load only the vocabulary (tokenizer and chat template), no weights: fast and small. Default false. */
  vocabOnly?: boolean;
}

/** Loads a GGUF model (a path, hf: URI or URL: see model-source.ts) through node-llama-cpp; a missing path gives a FileNotFoundError. */
export async function loadLlamaModel(spec: string, options: LoadModelOptions = {}): Promise<LlamaModel> {
  const modelPath = await resolveModelPath(spec);
  const llama = await getLlamaRuntime(options);
  // --device cpu on a GPU build: keep every layer on the CPU.
  const gpuLayers = (options.gpu ?? currentDeviceChoice()) === "cpu" ? 0 : (options.gpuLayers ?? "auto");
  try {
    return await llama.loadModel({ modelPath, gpuLayers, vocabOnly: options.vocabOnly ?? false });
  } catch (error) {
    throw new LocaltuneError(
      {
        en: `node-llama-cpp could not load ${modelPath}: ${(error as Error).message}. Check that it is a complete GGUF model file.`,
        ko: `node-llama-cpp가 ${modelPath}을(를) 불러오지 못했습니다: ${(error as Error).message}. 완전한 GGUF 모델 파일인지 확인하세요.`,
      },
      { cause: error },
    );
  }
}
