// Runs the decoder forward on a batch of equal-length sequences and returns logits for the requested rows.
import { buildDecoder } from "./graph/decoder.js";
import type { DecoderHooks } from "./graph/hooks.js";
import { ShapeError } from "../errors.js";
import { GgmlType } from "../formats/gguf/index.js";
import { GraphContext, graphNodeBudget } from "./graph-context.js";
import type { EngineModel } from "./model.js";
import { sequencePositions } from "./positions.js";

export interface ForwardRequest {
  /** Token ids, sequence after sequence: [T * B]. */
  tokens: Int32Array;
  /** Number of sequences B (T = tokens.length / B). */
  sequences: number;
  /** Rows (indices into the N tokens) whose logits are wanted; all rows when absent. */
  outputRows?: Int32Array;
}

/** Logits [V, R] as a flat Float32Array, row r at [r * V, (r + 1) * V). One graph build and one compute per call. */
export function forwardLogits(model: EngineModel, request: ForwardRequest, hooks?: DecoderHooks): Float32Array {
  const { api, hparams } = model;
  const N = request.tokens.length;
  const B = request.sequences;
  if (B < 1 || N % B !== 0) throw new ShapeError(`${N} tokens cannot be split into ${B} equal sequences`);
  const T = N / B;
  for (const id of request.tokens) {
    if (id < 0 || id >= hparams.nVocab) throw new ShapeError(`token id ${id} is outside the vocabulary [0, ${hparams.nVocab})`);
  }
  for (const row of request.outputRows ?? []) {
    if (row < 0 || row >= N) throw new ShapeError(`output row ${row} is outside [0, ${N})`);
  }
  // Virtual tokens (prompt tuning) precede each sequence: positions cover them, and output rows (given in real-token
  // indices) are mapped past them.
  const P = hooks?.virtualTokens?.count ?? 0;
  const rows = P === 0 ? request.outputRows : (request.outputRows ?? Int32Array.from({ length: N }, (_, i) => i)).map((r) => Math.floor(r / T) * (T + P) + P + (r % T));
  const g = new GraphContext(api, graphNodeBudget(hparams.nLayer, false));
  try {
    const tokens = g.input("tokens", GgmlType.I32, [N]);
    const positions = g.input("positions", GgmlType.I32, [(T + P) * B]);
    const outputRows = rows ? g.input("output_rows", GgmlType.I32, [rows.length]) : undefined;
    const { logits } = buildDecoder(g, model.arch, hparams, model.weights, { tokens, positions, outputRows, tokensPerSequence: T, sequences: B }, hooks);
    api.ggml_set_output(logits);
    g.expand(logits);
    api.ggml_backend_sched_reset(model.sched);
    if (!api.ggml_backend_sched_alloc_graph(model.sched, g.graph)) throw new ShapeError("ggml could not allocate the forward graph");
    api.ggml_backend_tensor_set(tokens, request.tokens, 0, N * 4);
    const pos = sequencePositions(T + P, B);
    api.ggml_backend_tensor_set(positions, pos, 0, pos.byteLength);
    if (outputRows && rows) api.ggml_backend_tensor_set(outputRows, rows, 0, rows.byteLength);
    const status = api.ggml_backend_sched_graph_compute(model.sched, g.graph);
    if (status !== 0) throw new ShapeError(`ggml graph compute failed with status ${status}`);
    const out = new Float32Array(api.ggml_nelements(logits));
    api.ggml_backend_tensor_get(logits, out, 0, out.byteLength);
    return out;
  } finally {
    g.dispose();
  }
}
