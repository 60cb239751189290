// Initial prefixes from real activations (Li & Liang 2021 found this far better than random for direct training):
// the keys and values the frozen model computes for P real tokens, so a fresh prefix acts like text the model has
// read. Keys are taken before RoPE (the prefix is not rotated) and after the q/k norm where the architecture has one.
import { buildDecoder } from "../../engine/graph/decoder.js";
import { GraphContext, graphNodeBudget } from "../../engine/graph-context.js";
import type { EngineModel } from "../../engine/model.js";
import { ShapeError } from "../../errors.js";
import { dequantize, GgmlType } from "../../formats/gguf/index.js";
import { tensorShape, type GgmlTensor } from "../../native/ggml-bindings.js";

/** Per layer, keys (before RoPE and q/k norm) and values [D*K, T] of `tokens` read as one sequence at positions 0..T-1. */
export function captureKeysValues(model: EngineModel, tokens: readonly number[]): Array<{ k: Float32Array; v: Float32Array }> {
  const { api, hparams } = model;
  const T = tokens.length;
  const g = new GraphContext(api, graphNodeBudget(hparams.nLayer, false) + 4 * hparams.nLayer);
  try {
    const captured: Array<{ k?: GgmlTensor; v?: GgmlTensor }> = Array.from({ length: hparams.nLayer }, () => ({}));
    const tokenInput = g.input("tokens", GgmlType.I32, [T]);
    const positions = g.input("positions", GgmlType.I32, [T]);
    const { logits } = buildDecoder(g, model.arch, hparams, model.weights, { tokens: tokenInput, positions, tokensPerSequence: T, sequences: 1 }, {
      activation(gc, site, layer, x) {
        if (site === "ffn_act") return undefined;
        // A copy with its own memory, flagged as an output so the allocator keeps it until it is read.
        const copy = api.ggml_cont(gc.ctx, x);
        api.ggml_set_output(copy);
        captured[layer]![site === "attn_k" ? "k" : "v"] = copy;
        return copy;
      },
    });
    g.expand(logits);
    api.ggml_backend_sched_reset(model.sched);
    if (!api.ggml_backend_sched_alloc_graph(model.sched, g.graph)) throw new ShapeError("ggml could not allocate the activation graph");
    api.ggml_backend_tensor_set(tokenInput, Int32Array.from(tokens), 0, 4 * T);
    api.ggml_backend_tensor_set(positions, Int32Array.from({ length: T }, (_, i) => i), 0, 4 * T);
    const status = api.ggml_backend_sched_graph_compute(model.sched, g.graph);
    if (status !== 0) throw new ShapeError(`ggml graph compute failed with status ${status}`);
    const read = (t: GgmlTensor) => {
      const out = new Float32Array(api.ggml_nelements(t));
      api.ggml_backend_tensor_get(t, out, 0, out.byteLength);
      return out;
    };
    return captured.map((c) => ({ k: read(c.k!), v: read(c.v!) }));
  } finally {
    g.dispose();
  }
}

/** Prefixes [D, P, K] per layer from the activations of `tokens` (P of them). */
export function prefixesFromTokens(model: EngineModel, tokens: readonly number[]): Array<{ k: Float32Array; v: Float32Array }> {
  const { headDim: D, nHeadKv: K, normEps } = model.hparams;
  const P = tokens.length;
  return captureKeysValues(model, tokens).map(({ k, v }, il) => {
    const norm = model.arch.block.qkNorm ? weightValues(model, `blk.${il}.attn_k_norm.weight`) : undefined; // [D]
    const pk = new Float32Array(D * P * K);
    const pv = new Float32Array(D * P * K);
    for (let j = 0; j < P; j++) {
      for (let h = 0; h < K; h++) {
        const from = (j * K + h) * D; // captured [D*K, P]: token j, head h
        const to = (h * P + j) * D; //   prefix [D, P, K]
        pv.set(v.subarray(from, from + D), to);
        let scale = 1;
        if (norm) {
          let sum = 0;
          for (let d = 0; d < D; d++) sum += k[from + d]! ** 2;
          scale = 1 / Math.sqrt(sum / D + normEps);
        }
        for (let d = 0; d < D; d++) pk[to + d] = k[from + d]! * scale * (norm ? norm[d]! : 1);
      }
    }
    return { k: pk, v: pv };
  });
}

function weightValues(model: EngineModel, name: string): Float32Array {
  const t = model.weights.get(name);
  if (t === undefined) throw new ShapeError(`the model has no ${name}`);
  const bytes = new Uint8Array(model.api.ggml_nbytes(t));
  model.api.ggml_backend_tensor_get(t, bytes, 0, bytes.byteLength);
  return dequantize(tensorShape(t).type as GgmlType, bytes, model.api.ggml_nelements(t));
}
