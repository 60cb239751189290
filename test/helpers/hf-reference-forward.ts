// A naive forward pass of llama-family decoders in Hugging Face transformers' conventions, written from the
// transformers modelling code's equations and independent of localtune's engine: float64 loops over the checkpoint's
// own tensors (PyTorch layout, [out, in] row-major), RoPE by rotate_half, grouped-query causal attention, SwiGLU,
// pre-norm blocks (llama, Qwen, EXAONE 3, Phi-3) or post-norm blocks (EXAONE 4), and Gemma 3's block: embeddings
// times sqrt(E), RMSNorm by (1 + w) before and after attention and the FFN, GeGLU with tanh-GELU, a query scale of
// query_pre_attn_scalar^-0.5, sliding-window layers with their own RoPE base beside global ones, final soft-capping.
// Phi-3's LongRoPE: per-dimension frequency divisors and a magnitude factor on cos and sin.
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
   * and no norm before attention or the FFN; "pre-post" (Gemma 3): x + post_norm(f(pre_norm(x))). Default "pre".
   */
  norms?: "pre" | "post" | "pre-post";
  /** Gemma's RMSNorm: x / rms(x) * (1 + w) (the checkpoint stores w). Default false: * w. */
  normPlusOne?: boolean;
  /** The embeddings are multiplied by this (Gemma: sqrt(E) rounded to the model's float type). Default 1. */
  embedScale?: number;
  /** FFN gate activation: "silu" (SwiGLU, default) or "gelu_tanh" (GeGLU, gelu_pytorch_tanh). */
  activation?: "silu" | "gelu_tanh";
  /** Attention scores are q.k times this (Gemma: query_pre_attn_scalar^-0.5). Default 1 / sqrt(D). */
  attnScale?: number;
  /** Per layer: a sliding window (key s visible from query t when t - s < window) and that layer's RoPE. */
  layer?: (l: number) => { window?: number; ropeTheta: number; ropeLinearFactor?: number };
  /** LongRoPE: frequency i is divided by factors[i] (D/2 values), and cos, sin are multiplied by attnFactor. */
  ropeFactors?: readonly number[];
  ropeAttnFactor?: number;
  /** Final logits become c * tanh(logits / c). */
  finalSoftcap?: number;
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

/** LlamaRMSNorm: x / sqrt(mean(x^2) + eps) * w; Gemma3RMSNorm: ... * (1 + w). */
function rmsNorm(x: Float64Array, w: Float32Array, eps: number, plusOne = false): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * inv * (plusOne ? 1 + w[i]! : w[i]!));
}

interface RopeParams {
  theta: number;
  /** Linear scaling: positions divided by this. */
  linearFactor?: number;
  /** LongRoPE: inv_freq[i] divided by factors[i]; cos and sin times attnFactor. */
  factors?: readonly number[];
  attnFactor?: number;
}

/** apply_rotary_pos_emb for one head at `pos`: x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1]. */
function rope(x: Float64Array, pos: number, p: RopeParams): Float64Array {
  const d = x.length;
  const half = d / 2;
  const out = new Float64Array(d);
  const m = p.attnFactor ?? 1;
  for (let i = 0; i < half; i++) {
    const invFreq = p.theta ** ((-2 * i) / d) / (p.factors?.[i] ?? 1);
    const angle = (pos / (p.linearFactor ?? 1)) * invFreq;
    const c = Math.cos(angle) * m;
    const s = Math.sin(angle) * m;
    out[i] = x[i]! * c - x[i + half]! * s;
    out[i + half] = x[i + half]! * c + x[i]! * s;
  }
  return out;
}

const silu = (v: number) => v / (1 + Math.exp(-v));
/** gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
const geluTanh = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

/** Logits [T][V] for `tokens` at positions 0..T-1. */
export function referenceLogits(cfg: ReferenceConfig, w: WeightLookup, tokens: readonly number[]): Float64Array[] {
  const { nEmbd: E, nHead: H, nHeadKv: K, headDim: D, nFf: F, nVocab: V } = cfg;
  const embed = w("embed");
  const norm = (x: Float64Array, weight: Float32Array) => rmsNorm(x, weight, cfg.rmsNormEps, cfg.normPlusOne);
  const act = cfg.activation === "gelu_tanh" ? geluTanh : silu;
  const preNorm = cfg.norms !== "post";
  const postNorm = cfg.norms === "post" || cfg.norms === "pre-post";
  let xs = tokens.map((t) => Float64Array.from(embed.subarray(t * E, (t + 1) * E), (v) => v * (cfg.embedScale ?? 1)));
  for (let l = 0; l < cfg.nLayer; l++) {
    const layer = cfg.layer?.(l) ?? { ropeTheta: cfg.ropeTheta };
    const ropeParams: RopeParams = { theta: layer.ropeTheta, linearFactor: layer.ropeLinearFactor, factors: cfg.ropeFactors, attnFactor: cfg.ropeAttnFactor };
    const qs: Float64Array[][] = [];
    const ks: Float64Array[][] = [];
    const vs: Float64Array[][] = [];
    for (const x of xs) {
      const h = preNorm ? norm(x, w("attn_norm", l)) : x;
      const q = linear(w("q", l), h, H * D, cfg.qkvBias ? w("q_bias", l) : undefined);
      const k = linear(w("k", l), h, K * D, cfg.qkvBias ? w("k_bias", l) : undefined);
      const v = linear(w("v", l), h, K * D, cfg.qkvBias ? w("v_bias", l) : undefined);
      const heads = (a: Float64Array, n: number): Float64Array[] => Array.from({ length: n }, (_, i) => a.slice(i * D, (i + 1) * D));
      let qh: Float64Array[] = heads(q, H);
      let kh: Float64Array[] = heads(k, K);
      if (cfg.qkNorm) {
        qh = qh.map((x) => norm(x, w("q_norm", l)));
        kh = kh.map((x) => norm(x, w("k_norm", l)));
      }
      const pos = qs.length;
      qs.push(qh.map((x) => rope(x, pos, ropeParams)));
      ks.push(kh.map((x) => rope(x, pos, ropeParams)));
      vs.push(heads(v, K));
    }
    xs = xs.map((x, t) => {
      // Causal attention of position t over 0..t; query head h reads key/value head h / (H / K).
      const attn = new Float64Array(H * D);
      for (let h = 0; h < H; h++) {
        const kv = Math.floor(h / (H / K));
        // Keys older than the window are masked: the window holds the query's own position and window - 1 before it.
        const first = layer.window !== undefined ? Math.max(0, t - layer.window + 1) : 0;
        const scores = Array.from({ length: t + 1 }, (_, s) => {
          if (s < first) return -Infinity;
          let dot = 0;
          for (let i = 0; i < D; i++) dot += qs[t]![h]![i]! * ks[s]![kv]![i]!;
          return dot * (cfg.attnScale ?? 1 / Math.sqrt(D));
        });
        const max = Math.max(...scores);
        const e = scores.map((v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) for (let i = 0; i < D; i++) attn[h * D + i]! += (e[s]! / sum) * vs[s]![kv]![i]!;
      }
      let o = linear(w("o", l), attn, E);
      if (postNorm) o = norm(o, w("post_attn_norm", l));
      const afterAttn = x.map((v, i) => v + o[i]!);
      const h2 = preNorm ? norm(afterAttn, w("ffn_norm", l)) : afterAttn;
      const gate = linear(w("gate", l), h2, F);
      const up = linear(w("up", l), h2, F);
      let down = linear(w("down", l), gate.map((g, i) => act(g) * up[i]!), E);
      if (postNorm) down = norm(down, w("post_ffn_norm", l));
      return afterAttn.map((v, i) => v + down[i]!);
    });
  }
  const head = cfg.tied ? embed : w("lm_head");
  const cap = cfg.finalSoftcap;
  return xs.map((x) => {
    const logits = linear(head, norm(x, w("final_norm")), V);
    return cap ? logits.map((v) => cap * Math.tanh(v / cap)) : logits;
  });
}
