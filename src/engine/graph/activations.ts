// Activations that ggml computes in the forward but cannot differentiate (its backward pass covers SILU, EXP,
// SOFTPLUS, RELU and a few more, not GELU, TANH or SIGMOID), composed from ops that it can, so training works through
// them. Each equals the closed form exactly; see docs/engine-notes.md for how they compare with llama.cpp's kernels.
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import type { GraphContext } from "../graph-context.js";

/** sigmoid(x) = exp(-softplus(-x)): bounded in (0, 1] at every step, so neither the value nor its gradient overflows. */
export function sigmoid(g: GraphContext, x: GgmlTensor): GgmlTensor {
  const { api, ctx } = g;
  return api.ggml_exp(ctx, api.ggml_neg(ctx, api.ggml_softplus(ctx, api.ggml_neg(ctx, x))));
}

/** The constants of GELU's tanh approximation (Hendrycks and Gimpel 2016). */
const GELU_COEF_A = 0.044715;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU with the tanh approximation (ggml_gelu, PyTorch's gelu(approximate="tanh"), Gemma's hidden_activation):
 * 0.5 x (1 + tanh(u)) = x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3). Same shape as x.
 */
export function geluTanh(g: GraphContext, x: GgmlTensor): GgmlTensor {
  const { api, ctx } = g;
  const cube = api.ggml_mul(ctx, api.ggml_sqr(ctx, x), x);
  const inner = api.ggml_add(ctx, x, api.ggml_scale(ctx, cube, GELU_COEF_A));
  return api.ggml_mul(ctx, x, sigmoid(g, api.ggml_scale(ctx, inner, 2 * SQRT_2_OVER_PI)));
}

/**
 * c * tanh(x / c): Gemma's final-logit soft cap. Training graphs compose tanh(y) = 2 sigmoid(2y) - 1; others use
 * ggml_tanh as llama.cpp does. Same shape as x.
 */
export function softcap(g: GraphContext, x: GgmlTensor, cap: number): GgmlTensor {
  const { api, ctx } = g;
  const tanh = g.differentiable ? api.ggml_scale_bias(ctx, sigmoid(g, api.ggml_scale(ctx, x, 2 / cap)), 2, -1) : api.ggml_tanh(ctx, api.ggml_scale(ctx, x, 1 / cap));
  return api.ggml_scale(ctx, tanh, cap);
}
