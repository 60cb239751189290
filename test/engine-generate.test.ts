// Incremental decoding over the key/value cache gives the logits of a full forward pass of the same sequence, at every
// step: base models (stories260K, random qwen3) and with every adapter hook (virtual tokens, attention prefix, LoRA-style
// linear, IA3-style activation scaling). Tolerance 1e-4 of the logit range (only summation order differs).
import { afterAll, describe, expect, it } from "vitest";
import type { DecoderHooks } from "../src/engine/graph/hooks.js";
import { forwardLogits } from "../src/engine/forward.js";
import { CachedDecoder } from "../src/engine/generate.js";
import { EngineModel } from "../src/engine/model.js";
import { ParamStore } from "../src/engine/param-store.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { STORIES_260K, testModelPath } from "./helpers/test-models.js";
import { xorshiftNoise } from "./helpers/noise.js";

const opened: Array<{ dispose(): unknown }> = [];
afterAll(() => {
  for (const o of opened.reverse()) o.dispose();
});


/** Largest |a - b| over the logit range of b. */
function relativeDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    lo = Math.min(lo, b[i]!);
    hi = Math.max(hi, b[i]!);
  }
  expect(hi - lo).toBeGreaterThan(0.1); // a real distribution, not a flat one
  return diff / (hi - lo);
}

/** Prefill `promptLength` tokens, then one token at a time; every step's logits against the full forward's row. */
function expectCachedEqualsForward(model: EngineModel, tokens: number[], promptLength: number, hooks?: DecoderHooks, slots = 64): number {
  const V = model.hparams.nVocab;
  const full = forwardLogits(model, { tokens: Int32Array.from(tokens), sequences: 1 }, hooks);
  const decoder = new CachedDecoder(model, { slots, ...(hooks ? { hooks } : {}) });
  opened.push(decoder);
  let worst = 0;
  // Twice: the second pass after reset() reuses the decode graphs and overwrites the old cache contents.
  for (let pass = 0; pass < 2; pass++) {
    decoder.reset();
    let logits = decoder.evaluate(tokens.slice(0, promptLength));
    worst = Math.max(worst, relativeDiff(logits, full.subarray((promptLength - 1) * V, promptLength * V)));
    for (let i = promptLength; i < tokens.length; i++) {
      logits = decoder.evaluate([tokens[i]!]);
      worst = Math.max(worst, relativeDiff(logits, full.subarray(i * V, (i + 1) * V)));
    }
  }
  return worst;
}

const sequence = (n: number, V: number, seed: number) => Array.from(xorshiftNoise(n, seed, 1), (x) => Math.floor(((x + 1) / 2) * (V - 3)) + 3);

describe("CachedDecoder", () => {
  it("stories260K: every decode step equals the full forward", async () => {
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    opened.push(model);
    const tokens = [1, ...sequence(47, model.hparams.nVocab, 3)];
    // 48 tokens cross the 32-slot bucket boundary: two decode graphs.
    const worst = expectCachedEqualsForward(model, tokens, 7);
    console.log(`cached decode stories260K: max |dlogit| / range = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  });

  it("random qwen3 (GQA, q/k norms, head width != E/H): every decode step equals the full forward", async () => {
    const model = await EngineModel.load(await testModelPath("qwen3"), { threads: 1 });
    opened.push(model);
    const worst = expectCachedEqualsForward(model, sequence(40, model.hparams.nVocab, 5), 1);
    console.log(`cached decode qwen3: max |dlogit| / range = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  });

  for (const arch of ["gemma3", "phi3"] as const) {
    it(`random ${arch} (${arch === "gemma3" ? "sliding window of 4 on block 0, cache past it" : "fused qkv and gate/up, LongRoPE factors"}): every decode step equals the full forward`, async () => {
      const model = await EngineModel.load(await testModelPath(arch), { threads: 1 });
      opened.push(model);
      const worst = expectCachedEqualsForward(model, sequence(40, model.hparams.nVocab, 6), 3);
      console.log(`cached decode ${arch}: max |dlogit| / range = ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it("Q8_0 weights in kernel layouts (AMX / repacked, as generation loads them): decode steps equal the plain model's full forward", async () => {
    const file = await testModelPath("llamaWide", GgmlType.Q8_0);
    const fast = await EngineModel.load(file, { threads: 1, kernelLayouts: true });
    const plain = await EngineModel.load(file, { threads: 1 });
    opened.push(fast, plain);
    console.log(`kernel layouts: ${fast.kernelLayoutWeights.size} weights (${[...new Set(fast.kernelLayoutWeights.values())].join(", ") || "none on this CPU"})`);
    const tokens = sequence(40, fast.hparams.nVocab, 8);
    expect(expectCachedEqualsForward(fast, tokens, 5)).toBeLessThan(1e-4);
    const V = fast.hparams.nVocab;
    const a = forwardLogits(fast, { tokens: Int32Array.from(tokens), sequences: 1 });
    const b = forwardLogits(plain, { tokens: Int32Array.from(tokens), sequences: 1 });
    for (let i = 0; i < tokens.length; i++) expect(relativeDiff(a.subarray(i * V, (i + 1) * V), b.subarray(i * V, (i + 1) * V))).toBeLessThan(1e-4);
  });

  it("a prompt longer than one prefill chunk (300 tokens) ends with the full forward's logits", async () => {
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    opened.push(model);
    const tokens = [1, ...sequence(303, model.hparams.nVocab, 9)];
    const worst = expectCachedEqualsForward(model, tokens, 300, undefined, 320);
    expect(worst).toBeLessThan(1e-4);
  });

  it("with virtual tokens, an attention prefix, a low-rank linear term and activation scaling, decoding equals the full forward with the same hooks", async () => {
    const model = await EngineModel.load(await testModelPath("qwen3"), { threads: 1 });
    opened.push(model);
    const { nEmbd: E, headDim: D, nHeadKv: K, nLayer, nFf: F } = model.hparams;
    const P = 5;
    const Q = 3;
    const rank = 2;
    const specs = [{ name: "virtual", ne: [E, P], init: xorshiftNoise(E * P, 11, 0.5) }];
    for (let il = 0; il < nLayer; il++) {
      specs.push({ name: `prefix_k.${il}`, ne: [D, Q, K], init: xorshiftNoise(D * Q * K, 20 + il, 1) });
      specs.push({ name: `prefix_v.${il}`, ne: [D, Q, K], init: xorshiftNoise(D * Q * K, 40 + il, 1) });
      specs.push({ name: `ffn_scale.${il}`, ne: [F], init: xorshiftNoise(F, 60 + il, 0.5).map((x) => 1 + x) });
    }
    const nQ = model.hparams.nHead * D;
    specs.push({ name: "lora_a", ne: [E, rank], init: xorshiftNoise(E * rank, 80, 0.3) }, { name: "lora_b", ne: [rank, nQ], init: xorshiftNoise(rank * nQ, 81, 0.3) });
    const store = new ParamStore(model, specs);
    opened.push(store);
    const hooks: DecoderHooks = {
      virtualTokens: { count: P, embed: () => store.get("virtual") },
      attentionPrefix: { count: Q, kv: (_g, il) => ({ k: store.get(`prefix_k.${il}`), v: store.get(`prefix_v.${il}`) }) },
      linear: (g, name, weight, x) => {
        if (name !== "blk.1.attn_q") return undefined;
        const { api, ctx } = g;
        const low = api.ggml_mul_mat(ctx, store.get("lora_b"), api.ggml_mul_mat(ctx, store.get("lora_a"), x));
        return api.ggml_add(ctx, api.ggml_mul_mat(ctx, weight, x), low);
      },
      activation: (g, site, il, x) => (site === "ffn_act" ? g.api.ggml_mul(g.ctx, x, store.get(`ffn_scale.${il}`)) : undefined),
    };
    const worst = expectCachedEqualsForward(model, sequence(30, model.hparams.nVocab, 13), 4, hooks);
    console.log(`cached decode qwen3 with all hooks: max |dlogit| / range = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    // The hooks matter: without them the logits differ.
    const tokens = sequence(30, model.hparams.nVocab, 13);
    const plain = forwardLogits(model, { tokens: Int32Array.from(tokens), sequences: 1, outputRows: Int32Array.of(29) });
    const hooked = forwardLogits(model, { tokens: Int32Array.from(tokens), sequences: 1, outputRows: Int32Array.of(29) }, hooks);
    expect(relativeDiff(plain, hooked)).toBeGreaterThan(1e-2);
  });

  it("refuses tokens that do not fit and ids outside the vocabulary", async () => {
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    opened.push(model);
    const decoder = new CachedDecoder(model, { slots: 8 });
    opened.push(decoder);
    expect(() => decoder.evaluate([1, 2, 3, 4, 5, 6, 7, 8, 9])).toThrow(/do not fit: the cache has room for 8 more/);
    expect(() => decoder.evaluate([1, 512])).toThrow(/outside the vocabulary/);
    decoder.evaluate([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => decoder.evaluate([9])).toThrow(/room for 0 more/);
  });
});
