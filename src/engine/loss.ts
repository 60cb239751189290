// Next-token cross-entropy without dense label tensors (docs/engine-notes.md, "Dense cross-entropy labels"): softmax over the vocabulary, then a gather
// of each row's target probability through get_rows on a [1, V*R] view. Memory grows as the logits themselves
// ([V, R]), plus R indices and R weights, never a second V x R label matrix. Per-token weights carry the loss mask
// (0 for prompt tokens in instruction data) and the normalisation, so accumulated micro-batches give one mean.
import type { GgmlTensor } from "../native/ggml-bindings.js";
import type { GraphContext } from "./graph-context.js";

export interface TokenLossInputs {
  /** I32 [R]: r * V + target token of row r (index into the flattened probabilities). */
  targetIndex: GgmlTensor;
  /** F32 [R]: weight of row r (mask / number of counted tokens in the optimizer step). */
  weights: GgmlTensor;
  /** F32 [1]: added to each gathered probability so log never sees an exact 0 (float32 underflow). */
  epsilon: GgmlTensor;
}

/** Scalar loss: -sum_r weights[r] * log(softmax(logits[:, r])[target_r] + epsilon). logits: [V, R]. */
export function buildTokenLoss(g: GraphContext, logits: GgmlTensor, vocab: number, rows: number, inputs: TokenLossInputs): GgmlTensor {
  const { api, ctx } = g;
  const probs = api.ggml_soft_max_ext(ctx, logits, null, 1, 0); //                          [V, R]
  // The backward pass reads these probabilities again; flagged as an output so the allocator never reuses their
  // memory once the (view-only) forward consumers are done with it.
  api.ggml_set_output(probs);
  const flat = api.ggml_reshape_2d(ctx, probs, 1, vocab * rows); //                          [1, V*R]
  const picked = api.ggml_get_rows(ctx, flat, inputs.targetIndex); //                        [1, R]
  const logp = api.ggml_log(ctx, api.ggml_add(ctx, picked, inputs.epsilon)); //               [1, R]
  const weighted = api.ggml_mul(ctx, api.ggml_reshape_1d(ctx, logp, rows), inputs.weights); // [R]
  return g.named(api.ggml_scale(ctx, api.ggml_sum(ctx, weighted), -1), "loss"); //          [1]
}
