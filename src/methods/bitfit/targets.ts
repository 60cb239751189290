// Which projections BitFit gives a trainable bias, with their output widths. Only biases that llama.cpp's loader of
// the architecture reads are offered, so every trained bias survives export to a GGUF model. From llama.cpp's
// sources (node-llama-cpp 3.21.1's bundle): create_tensor_qkv in src/llama-model.cpp reads optional q/k/v biases for
// all three; src/models/llama.cpp also reads optional attn_output and ffn_gate/ffn_up/ffn_down biases; qwen2.cpp and
// qwen3.cpp create no attn_output bias and pass NULL biases to build_ffn.
import type { ModelHparams } from "../../arch/hparams.js";
import { InvalidConfigError } from "../../errors.js";

export const LLAMA_CPP_BIASES: Readonly<Record<string, readonly string[]>> = {
  llama: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
  qwen2: ["attn_q", "attn_k", "attn_v"],
  qwen3: ["attn_q", "attn_k", "attn_v"],
};

export interface BitfitTarget {
  /** Projection as the decoder's linear hook names it, e.g. "blk.3.attn_q". */
  projection: string;
  /** GGUF name of its bias, e.g. "blk.3.attn_q.bias". */
  bias: string;
  /** Output width of the projection: the bias length. */
  length: number;
}

/** The projections (without "blk.N.") BitFit trains on this architecture: the given ones, else all llama.cpp reads. */
export function bitfitProjections(hp: ModelHparams, targets: readonly string[] | undefined): readonly string[] {
  const allowed = LLAMA_CPP_BIASES[hp.arch];
  if (!allowed) {
    throw new InvalidConfigError({
      en: `BitFit does not know which biases llama.cpp reads for the ${hp.arch} architecture (known: ${Object.keys(LLAMA_CPP_BIASES).join(", ")})`,
      ko: `BitFit은 ${hp.arch} 아키텍처에서 llama.cpp가 읽는 바이어스를 모릅니다 (지원: ${Object.keys(LLAMA_CPP_BIASES).join(", ")})`,
    });
  }
  const wanted = targets ?? allowed;
  const refused = wanted.filter((t) => !allowed.includes(t));
  if (refused.length > 0) {
    throw new InvalidConfigError({
      en: `BitFit target(s) "${refused.join(", ")}" cannot be used on ${hp.arch}: llama.cpp's ${hp.arch} loader reads biases only on ${allowed.join(", ")}. Choose from those.`,
      ko: `BitFit 대상 "${refused.join(", ")}"은(는) ${hp.arch}에서 쓸 수 없습니다: llama.cpp의 ${hp.arch} 로더는 ${allowed.join(", ")}의 바이어스만 읽습니다. 이 중에서 고르세요.`,
    });
  }
  return wanted;
}

export function bitfitTargets(hp: ModelHparams, targets: readonly string[] | undefined): BitfitTarget[] {
  const q = hp.headDim * hp.nHead;
  const kv = hp.headDim * hp.nHeadKv;
  const widths: Record<string, number> = { attn_q: q, attn_k: kv, attn_v: kv, attn_output: hp.nEmbd, ffn_gate: hp.nFf, ffn_up: hp.nFf, ffn_down: hp.nEmbd };
  const projections = bitfitProjections(hp, targets);
  const out: BitfitTarget[] = [];
  for (let il = 0; il < hp.nLayer; il++) {
    for (const p of projections) out.push({ projection: `blk.${il}.${p}`, bias: `blk.${il}.${p}.bias`, length: widths[p]! });
  }
  return out;
}
