// The q/k row order difference between Hugging Face llama checkpoints and llama.cpp. HF's llama applies RoPE to the
// two halves of each head (rotate_half); llama.cpp's llama uses adjacent pairs, so convert_hf_to_gguf.py reorders the
// output rows of q_proj and k_proj (LlamaModel.permute: reshape(n_head, 2, D/2, in).swapaxes(1, 2)), and
// convert_lora_to_gguf.py applies the same reorder to lora_B of q and k. qwen2 and qwen3 use NEOX RoPE (halves, like
// HF) and are converted without it. Each architecture declares which (ArchDefinition.permutesQk).
import { findArchitecture } from "../../arch/registry.js";

/** Whether the architecture's GGUF q/k rows are permuted relative to the HF checkpoint (its declaration says). */
export function permutesQk(arch: string): boolean {
  return findArchitecture(arch).permutesQk;
}

/**
 * HF row order -> GGUF row order, for a row-major matrix of `rows` rows of `cols` values split into `heads` heads:
 * GGUF row h*D + 2i + j holds HF row h*D + j*D/2 + i (i < D/2, j in {0, 1}).
 */
export function permuteRowsHfToGguf(values: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  return reorder(values, rows, cols, heads, (h, i, j, D) => [h * D + 2 * i + j, h * D + j * (D / 2) + i]);
}

/** GGUF row order -> HF row order: the inverse of permuteRowsHfToGguf. */
export function permuteRowsGgufToHf(values: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  return reorder(values, rows, cols, heads, (h, i, j, D) => [h * D + j * (D / 2) + i, h * D + 2 * i + j]);
}

/** Copies each source row to its destination row; `map` gives [destination, source] for head h, pair i, half j. */
function reorder(values: Float32Array, rows: number, cols: number, heads: number, map: (h: number, i: number, j: number, D: number) => [number, number]): Float32Array {
  const D = rows / heads;
  if (!Number.isInteger(D) || D % 2 !== 0 || values.length !== rows * cols) {
    throw new RangeError(`q/k row permutation: ${rows} rows do not split into ${heads} heads of an even width (values ${values.length}, cols ${cols})`);
  }
  const out = new Float32Array(values.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < D / 2; i++) {
      for (let j = 0; j < 2; j++) {
        const [to, from] = map(h, i, j, D);
        out.set(values.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
  return out;
}
