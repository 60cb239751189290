// Loads the result of a training run into the engine for scoring: the base model as the method loads it, the
// method's hooks, and the trained tensors from the run's newest checkpoint. The same path serves every method
// (full weights, LoRA matrices, virtual tokens, prefixes, biases, scaling vectors).
import type { DecoderHooks } from "../engine/graph/hooks.js";
import { GgufFormatError, InvalidConfigError } from "../errors.js";
import { EngineModel } from "../engine/model.js";
import { readGguf } from "../formats/gguf/index.js";
import { findMethod } from "../methods/registry.js";
import { RunFolder } from "../train/run-folder.js";

export interface LoadedRun {
  model: EngineModel;
  hooks: DecoderHooks;
  /** Elements in the trained tensors. */
  trainableParams: number;
  /** Checkpoint the trained values came from. */
  checkpoint: string;
  dispose(): void;
}

export async function loadTrainedRun(runDir: string, threads: number | undefined): Promise<LoadedRun> {
  const folder = RunFolder.open(runDir);
  const config = folder.readConfig();
  const method = findMethod(config.method);
  const options = method.schema.parse(config.methodOptions);
  const steps = folder.checkpointSteps();
  if (steps.length === 0) {
    throw new InvalidConfigError({
      en: `${runDir} has no checkpoint: the run did not finish a step. Train it again (or resume it) before evaluating.`,
      ko: `${runDir}에 체크포인트가 없습니다: 학습이 한 스텝도 끝나지 않았습니다. 평가 전에 다시 학습(또는 이어서 학습)하세요.`,
    });
  }
  const checkpoint = folder.checkpointPath(steps[steps.length - 1]!);
  const model = await EngineModel.load(config.model, { ...(threads !== undefined ? { threads } : {}), ...method.loadOptions(options) });
  // The seed only shapes the initial values, which the checkpoint overwrites.
  const prepared = method.prepare(model, options, config.seed);
  try {
    const file = readGguf(checkpoint);
    let trainableParams = 0;
    for (const { name, tensor } of prepared.trainable) {
      const bytes = file.readTensorData(name);
      const expected = model.api.ggml_nbytes(tensor);
      if (bytes.byteLength !== expected) {
        throw new GgufFormatError(checkpoint, `tensor "${name}"`, `${bytes.byteLength} bytes where the method's tensor holds ${expected}`);
      }
      model.api.ggml_backend_tensor_set(tensor, bytes, 0, bytes.byteLength);
      trainableParams += model.api.ggml_nelements(tensor);
    }
    return {
      model,
      hooks: prepared.hooks,
      trainableParams,
      checkpoint,
      dispose() {
        prepared.dispose();
        model.dispose();
      },
    };
  } catch (error) {
    prepared.dispose();
    model.dispose();
    throw error;
  }
}
