// A naive forward pass of llama-family decoders in Hugging Face transformers' conventions, written from the
// transformers modelling code's equations and independent of localtune's engine: float64 loops over the checkpoint's
// own tensors (PyTorch layout, [out, in] row-major), RoPE by rotate_half, grouped-query causal attention, SwiGLU,
// pre-norm blocks (llama, Qwen, EXAONE 3, Phi-3) or post-norm blocks (EXAONE 4).
// Used as the reference for `models import`: llama.cpp's logits on the imported GGUF must equal these.

/** The sizes and switches of the decoder (what the config.json says, plus what the architecture's code does). */
export interface ReferenceConfig {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  nFf: number;
  nVocab: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** q_proj, k_proj, v_proj carry biases (Qwen2). */
  qkvBias: boolean;
  /** Per-head RMSNorm of queries and keys before RoPE (Qwen3's q_norm, k_norm). */
  qkNorm: boolean;
  /** lm_head is the embedding matrix. */
  tied: boolean;
  /**
   * "pre" (llama): x + f(norm(x)); "post" (EXAONE 4): x + norm(f(x)) with post_attention / post_feedforward norms
   * and no norm before attention or the FFN. Default "pre".
   */
  norms?: "pre" | "post";
}

/** The checkpoint tensor of one role: "embed", "final_norm", "lm_head", or a layer's ("attn_norm", "q", "q_bias", ...). */
export type WeightLookup = (role: string, layer?: number) => Float32Array;

/** y[o] = sum_i W[o, i] x[i] (+ b[o]); W is [out, in] row-major as torch.nn.Linear stores it. */
function linear(W: Float32Array, x: Float64Array, nOut: number, b?: Float32Array): Float64Array {
  const nIn = x.length;
  const y = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) {
    let s = b ? b[o]! : 0;
    const row = o * nIn;
    for (let i = 0; i < nIn; i++) s += W[row + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

/** LlamaRMSNorm: x / sqrt(mean(x^2) + eps) * w. */
function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * inv * w[i]!);
}

/** apply_rotary_pos_emb for one head at `pos`: x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1]. */
function rope(x: Float64Array, pos: number, theta: number): Float64Array {
  const d = x.length;
  const half = d / 2;
  const out = new Float64Array(d);
  for (let i = 0; i < half; i++) {
    const angle = pos * theta ** ((-2 * i) / d);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    out[i] = x[i]! * c - x[i + half]! * s;
    out[i + half] = x[i + half]! * c + x[i]! * s;
  }
  return out;
}

const silu = (v: number) => v / (1 + Math.exp(-v));

/** Logits [T][V] for `tokens` at positions 0..T-1. */
export function referenceLogits(cfg: ReferenceConfig, w: WeightLookup, tokens: readonly number[]): Float64Array[] {
  const { nEmbd: E, nHead: H, nHeadKv: K, headDim: D, nFf: F, nVocab: V } = cfg;
  const embed = w("embed");
  let xs = tokens.map((t) => Float64Array.from(embed.subarray(t * E, (t + 1) * E)));
  for (let l = 0; l < cfg.nLayer; l++) {
    const qs: Float64Array[][] = [];
    const ks: Float64Array[][] = [];
    const vs: Float64Array[][] = [];
    for (const x of xs) {
      const h = cfg.norms === "post" ? x : rmsNorm(x, w("attn_norm", l), cfg.rmsNormEps);
      const q = linear(w("q", l), h, H * D, cfg.qkvBias ? w("q_bias", l) : undefined);
      const k = linear(w("k", l), h, K * D, cfg.qkvBias ? w("k_bias", l) : undefined);
      const v = linear(w("v", l), h, K * D, cfg.qkvBias ? w("v_bias", l) : undefined);
      const heads = (a: Float64Array, n: number): Float64Array[] => Array.from({ length: n }, (_, i) => a.slice(i * D, (i + 1) * D));
      let qh: Float64Array[] = heads(q, H);
      let kh: Float64Array[] = heads(k, K);
      if (cfg.qkNorm) {
        qh = qh.map((x) => rmsNorm(x, w("q_norm", l), cfg.rmsNormEps));
        kh = kh.map((x) => rmsNorm(x, w("k_norm", l), cfg.rmsNormEps));
      }
      const pos = qs.length;
      qs.push(qh.map((x) => rope(x, pos, cfg.ropeTheta)));
      ks.push(kh.map((x) => rope(x, pos, cfg.ropeTheta)));
      vs.push(heads(v, K));
    }
    xs = xs.map((x, t) => {
      // Causal attention of position t over 0..t; query head h reads key/value head h / (H / K).
      const attn = new Float64Array(H * D);
      for (let h = 0; h < H; h++) {
        const kv = Math.floor(h / (H / K));
        const scores = Array.from({ length: t + 1 }, (_, s) => {
          let dot = 0;
          for (let i = 0; i < D; i++) dot += qs[t]![h]![i]! * ks[s]![kv]![i]!;
          return dot / Math.sqrt(D);
        });
        const max = Math.max(...scores);
        const e = scores.map((v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) for (let i = 0; i < D; i++) attn[h * D + i]! += (e[s]! / sum) * vs[s]![kv]![i]!;
      }
      const post = cfg.norms === "post";
      let o = linear(w("o", l), attn, E);
      if (post) o = rmsNorm(o, w("post_attn_norm", l), cfg.rmsNormEps);
      const afterAttn = x.map((v, i) => v + o[i]!);
      const h2 = post ? afterAttn : rmsNorm(afterAttn, w("ffn_norm", l), cfg.rmsNormEps);
      const gate = linear(w("gate", l), h2, F);
      const up = linear(w("up", l), h2, F);
      let down = linear(w("down", l), gate.map((g, i) => silu(g) * up[i]!), E);
      if (post) down = rmsNorm(down, w("post_ffn_norm", l), cfg.rmsNormEps);
      return afterAttn.map((v, i) => v + down[i]!);
    });
  }
  const head = cfg.tied ? embed : w("lm_head");
  return xs.map((x) => linear(head, rmsNorm(x, w("final_norm"), cfg.rmsNormEps), V));
}
