// The reparameterisation of Li & Liang: prefixes = MLP(embedding). In the graph the MLP runs once per build and each
// layer's keys and values are views of its output; at export the same graph computes the prefixes that are saved.
import { GraphContext } from "../../engine/graph-context.js";
import type { EngineModel } from "../../engine/model.js";
import { ParamStore } from "../../engine/param-store.js";
import { ShapeError } from "../../errors.js";
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import { MLP_TENSORS, mlpTensorShapes, type PrefixShape } from "./shapes.js";

/**
 * tanh from ops that have a backward pass in this ggml (its TANH has none): (e^x - e^-x) / (e^x + e^-x) with both
 * exponents shifted by -|x|, so neither overflows and the larger term is exactly 1. The shift cancels in the ratio,
 * so its gradient path (through ABS) contributes zero.
 */
export function tanhWithGradient(g: GraphContext, x: GgmlTensor): GgmlTensor {
  const { api, ctx } = g;
  const shift = api.ggml_abs(ctx, x);
  const a = api.ggml_exp(ctx, api.ggml_sub(ctx, x, shift)); //             e^(x - |x|)
  const b = api.ggml_exp(ctx, api.ggml_neg(ctx, api.ggml_add(ctx, x, shift))); // e^(-x - |x|)
  return api.ggml_div(ctx, api.ggml_sub(ctx, a, b), api.ggml_add(ctx, a, b));
}

/** MLP output [S, P]: column p holds, layer after layer, keys [D, K] then values [D, K] of prefix position p. */
export function buildPrefixMlp(g: GraphContext, t: (name: string) => GgmlTensor): GgmlTensor {
  const { api, ctx } = g;
  const hidden = tanhWithGradient(g, api.ggml_add(ctx, api.ggml_mul_mat(ctx, t(MLP_TENSORS.w1), t(MLP_TENSORS.embd)), t(MLP_TENSORS.b1))); // [M, P]
  return api.ggml_add(ctx, api.ggml_mul_mat(ctx, t(MLP_TENSORS.w2), hidden), t(MLP_TENSORS.b2)); //                                  [S, P]
}

/** Keys (which 0) or values (which 1) of one layer out of the MLP output: [D, P, K] (a copy: the decoder wants it contiguous). */
export function layerPrefix(g: GraphContext, out: GgmlTensor, shape: PrefixShape, layer: number, which: 0 | 1): GgmlTensor {
  const { api, ctx } = g;
  const { D, K, P, S } = shape;
  const view = api.ggml_view_3d(ctx, out, D, K, P, 4 * D, 4 * S, 4 * (2 * layer + which) * K * D); // [D, K, P]
  const prefix = api.ggml_cont(ctx, api.ggml_permute(ctx, view, 0, 2, 1, 3)); //                     [D, P, K]
  // A same-shape reshape on top: the decoder permutes the values, so their gradient arrives non-contiguous, which
  // CONT's backward rejects and RESHAPE's backward makes contiguous.
  return api.ggml_reshape_3d(ctx, prefix, D, P, K);
}

/** Runs the MLP on the model's backend with trained `values`: per layer, keys and values [D, P, K] as flat arrays. */
export function computePrefixes(
  model: EngineModel,
  values: ReadonlyMap<string, Float32Array>,
  shape: PrefixShape,
  widths: { Ein: number; M: number },
): Array<{ k: Float32Array; v: Float32Array }> {
  const { api } = model;
  const store = new ParamStore(model, mlpTensorShapes(shape, widths).map(({ name, ne }) => {
    const init = values.get(name);
    if (!init) throw new ShapeError(`the trained values have no ${name}`);
    return { name, ne, init };
  }));
  const g = new GraphContext(api, 64);
  try {
    const out = buildPrefixMlp(g, (name) => store.get(name));
    api.ggml_set_output(out);
    g.expand(out);
    api.ggml_backend_sched_reset(model.sched);
    if (!api.ggml_backend_sched_alloc_graph(model.sched, g.graph)) throw new ShapeError("ggml could not allocate the prefix MLP graph");
    const status = api.ggml_backend_sched_graph_compute(model.sched, g.graph);
    if (status !== 0) throw new ShapeError(`ggml graph compute failed with status ${status}`);
    const { D, K, P, S, L } = shape;
    const all = new Float32Array(S * P); // [S, P]
    api.ggml_backend_tensor_get(out, all, 0, all.byteLength);
    return Array.from({ length: L }, (_, layer) => {
      const pick = (which: 0 | 1) => {
        const prefix = new Float32Array(D * P * K); // [D, P, K]
        for (let p = 0; p < P; p++) {
          for (let kh = 0; kh < K; kh++) {
            const from = p * S + (2 * layer + which) * K * D + kh * D;
            prefix.set(all.subarray(from, from + D), (kh * P + p) * D);
          }
        }
        return prefix;
      };
      return { k: pick(0), v: pick(1) };
    });
  } finally {
    g.dispose();
    store.dispose();
  }
}
