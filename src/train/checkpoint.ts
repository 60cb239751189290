// Checkpoints: trained tensors, their AdamW moments and the loop's position, in one GGUF file written atomically.
import { gguf, readGguf, writeGguf, GgmlType, type GgufTensorInput } from "../formats/gguf/index.js";
import { GgufFormatError } from "../errors.js";

/** Where the loop stands: enough to continue exactly as if never stopped. */
export interface LoopState {
  /** Optimizer steps done. */
  step: number;
  /** Epoch of the next micro-batch, and its position in that epoch's order. */
  epoch: number;
  position: number;
  bestValLoss: number | null;
  evalsWithoutImprovement: number;
  elapsedSeconds: number;
}

export interface TensorState {
  name: string;
  value: Float32Array;
  m: Float32Array;
  v: Float32Array;
  /** ggml ne of the tensor. */
  ne: number[];
}

const STATE_KEY = "localtune.checkpoint.state";

export async function writeCheckpoint(file: string, tensors: readonly TensorState[], state: LoopState): Promise<void> {
  const inputs: GgufTensorInput[] = [];
  for (const t of tensors) {
    inputs.push(
      { name: t.name, type: GgmlType.F32, ne: t.ne, data: t.value },
      { name: `${t.name}.adam_m`, type: GgmlType.F32, ne: t.ne, data: t.m },
      { name: `${t.name}.adam_v`, type: GgmlType.F32, ne: t.ne, data: t.v },
    );
  }
  await writeGguf(file, { metadata: { "general.type": gguf.str("localtune-checkpoint"), [STATE_KEY]: gguf.str(JSON.stringify(state)) }, tensors: inputs });
}

export function readCheckpoint(file: string, names: readonly string[]): { tensors: Omit<TensorState, "ne">[]; state: LoopState } {
  const ck = readGguf(file);
  if (ck.getString("general.type", "") !== "localtune-checkpoint") {
    throw new GgufFormatError(file, "general.type", "not a localtune checkpoint");
  }
  const f32 = (name: string) => {
    const bytes = ck.readTensorData(name);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  const tensors = names.map((name) => ({ name, value: f32(name), m: f32(`${name}.adam_m`), v: f32(`${name}.adam_v`) }));
  return { tensors, state: JSON.parse(ck.getString(STATE_KEY)) as LoopState };
}

/**
 * Why a checkpoint cannot be resumed from (cut short, not a checkpoint, no loop state), or undefined when it is whole.
 * Reads the header only: the reader checks that every tensor's bytes lie inside the file.
 */
export function checkpointProblem(file: string): string | undefined {
  try {
    const ck = readGguf(file);
    if (ck.getString("general.type", "") !== "localtune-checkpoint") return "not a localtune checkpoint";
    JSON.parse(ck.getString(STATE_KEY)) as LoopState;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
