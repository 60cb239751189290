// The one entry to node-llama-cpp: a shared Llama instance and model loading with clear errors.
// Inference, tokenization, chat templates and embeddings come from here (DESIGN.md decision 2).
import fs from "node:fs";
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from "node-llama-cpp";
import { FileNotFoundError, LocaltuneError } from "../errors.js";

export type GpuChoice = "auto" | "cpu" | "cuda" | "vulkan" | "metal";

export interface LlamaRuntimeOptions {
  /** Which compute backend node-llama-cpp should use. "auto" picks a GPU build when one loads, else the CPU. Default "auto". */
  gpu?: GpuChoice;
  /** Print llama.cpp's own log lines (warnings and up). Default false. */
  verboseNativeLogs?: boolean;
}

const runtimes = new Map<GpuChoice, Promise<Llama>>();

/** The process-wide node-llama-cpp instance for a backend choice (created once, prebuilt binaries only). */
export function getLlamaRuntime(options: LlamaRuntimeOptions = {}): Promise<Llama> {
  const gpu = options.gpu ?? "auto";
  let runtime = runtimes.get(gpu);
  if (!runtime) {
    runtime = getLlama({
      gpu: gpu === "cpu" ? false : gpu,
      build: "never",
      logLevel: options.verboseNativeLogs ? LlamaLogLevel.warn : LlamaLogLevel.error,
    });
    runtimes.set(gpu, runtime);
  }
  return runtime;
}

export interface LoadModelOptions extends LlamaRuntimeOptions {
  /** Layers to offload to the GPU: "auto" (as many as fit), "max", or a number. Default "auto". */
  gpuLayers?: "auto" | "max" | number;
  /** Load only the vocabulary (tokenizer and chat template), no weights: fast and small. Default false. */
  vocabOnly?: boolean;
}

/** Loads a GGUF model file through node-llama-cpp; a missing or unreadable path gives a FileNotFoundError. */
export async function loadLlamaModel(modelPath: string, options: LoadModelOptions = {}): Promise<LlamaModel> {
  if (!modelPath.startsWith("hf:") && !fs.existsSync(modelPath)) throw new FileNotFoundError(modelPath, "model");
  const llama = await getLlamaRuntime(options);
  try {
    return await llama.loadModel({ modelPath, gpuLayers: options.gpuLayers ?? "auto", vocabOnly: options.vocabOnly ?? false });
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
