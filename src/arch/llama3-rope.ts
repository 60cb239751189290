// Llama 3.1's RoPE scaling ("rope_type": "llama3"): llama.cpp applies it as per-dimension frequency factors stored in
// the tensor rope_freqs.weight, which convert_hf_to_gguf.py computes from config.json (LlamaModel's
// generate_extra_tensors); the formula is transformers' _compute_llama3_parameters written as divisors of the frequency.
import { hfNumber, hfRopeParameters, type HfConfig, type HfConfigTensor } from "./hf-config.js";

/** rope_freqs.weight [D/2] for a config whose RoPE type is llama3; nothing for any other config. */
export function llama3RopeFactors(config: HfConfig): HfConfigTensor[] {
  const rope = hfRopeParameters(config).full;
  if (String(rope["rope_type"] ?? "").toLowerCase() !== "llama3") return [];
  const num = (key: string, fallback: number) => (typeof rope[key] === "number" ? (rope[key] as number) : fallback);
  const base = num("rope_theta", 10000);
  const dim = hfNumber(config, "head_dim") ?? hfNumber(config, "hidden_size")! / hfNumber(config, "num_attention_heads")!;
  const factor = num("factor", 8);
  const lowFreqFactor = num("low_freq_factor", 1);
  const highFreqFactor = num("high_freq_factor", 4);
  const oldContext = num("original_max_position_embeddings", 8192);
  const lowFreqWavelen = oldContext / lowFreqFactor;
  const highFreqWavelen = oldContext / highFreqFactor;
  const values = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const freq = 1 / base ** ((2 * i) / dim);
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highFreqWavelen) values[i] = 1; // high frequencies keep their rate
    else if (wavelen > lowFreqWavelen) values[i] = factor; // low frequencies slow down by the whole factor
    else {
      const smooth = (oldContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      values[i] = 1 / ((1 - smooth) / factor + smooth);
    }
  }
  return [{ name: "rope_freqs.weight", ne: [dim / 2], values }];
}
