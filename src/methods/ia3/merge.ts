// IA3 merged into the base exactly: l_k and l_v scale the output rows of attn_k / attn_v (and their biases, which
// the decoder adds before the scaling), l_ff scales the input columns of ffn_down. Changed weights are written in F32,
// dequantized first when the base is F16, BF16 or quantized (a copy of one tensor at a time).
import { findArchitecture } from "../../arch/registry.js";
import type { GgufFile } from "../../formats/gguf/index.js";
import { dequantize } from "../../formats/quant/convert.js";
import type { MergedTensor } from "../merged-model.js";
import type { Ia3Vector } from "./vectors.js";

function baseValues(base: GgufFile, name: string): { ne: readonly number[]; values: Float32Array } {
  const info = base.tensor(name);
  return { ne: info.ne, values: dequantize(info.type, base.readTensorData(info), info.elementCount) };
}

/** Row r (ne[0] values each) of a [n, rows] weight times scale[r]: an output-side scaling. */
function scaleRows(values: Float32Array, rowLength: number, scale: Float32Array): Float32Array {
  for (let r = 0; r < scale.length; r++) {
    const s = scale[r]!;
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) values[i] = values[i]! * s;
  }
  return values;
}

/** Column c of every row times scale[c]: an input-side scaling. */
function scaleColumns(values: Float32Array, scale: Float32Array): Float32Array {
  const n = scale.length;
  for (let i = 0; i < values.length; i++) values[i] = values[i]! * scale[i % n]!;
  return values;
}

/**
 * The tensors of the merged model that differ from the base, computed when the writer reaches each. With a fused
 * attn_qkv (phi3) l_k and l_v scale the key and value rows of that one weight: [q | k | v] rows of widths H D, K D, K D.
 */
export function ia3MergedTensors(base: GgufFile, vectors: readonly Ia3Vector[], values: ReadonlyMap<string, Float32Array>): Map<string, MergedTensor> {
  const changed = new Map<string, MergedTensor>();
  const fused = findArchitecture(base.architecture).block.fusedQkv === true;
  const qkvScales = new Map<number, Float32Array>(); // layer -> scale of every attn_qkv row (1 where no vector applies)
  const scaleProjection = (projection: string, scale: Float32Array) => {
    const weight = `${projection}.weight`; // [E, rows]: one row of E inputs per output
    const info = base.tensor(weight);
    changed.set(weight, { ne: info.ne, values: () => scaleRows(baseValues(base, weight).values, info.ne[0]!, scale) });
    const bias = `${projection}.bias`;
    if (base.findTensor(bias)) changed.set(bias, { ne: base.tensor(bias).ne, values: () => scaleRows(baseValues(base, bias).values, 1, scale) });
  };
  for (const v of vectors) {
    const scale = values.get(v.name)!;
    if (v.site === "ff") {
      const name = `blk.${v.layer}.ffn_down.weight`; // [F, E]: each of the E rows holds F inputs
      changed.set(name, { ne: base.tensor(name).ne, values: () => scaleColumns(baseValues(base, name).values, scale) });
    } else if (fused) {
      const rows = base.tensor(`blk.${v.layer}.attn_qkv.weight`).ne[1]!;
      const all = qkvScales.get(v.layer) ?? new Float32Array(rows).fill(1);
      // Keys and values are the last 2 K D rows, keys first.
      const kv = scale.length;
      all.set(scale, v.site === "k" ? rows - 2 * kv : rows - kv);
      qkvScales.set(v.layer, all);
    } else {
      scaleProjection(`blk.${v.layer}.attn_${v.site}`, scale);
    }
  }
  for (const [layer, scale] of qkvScales) scaleProjection(`blk.${layer}.attn_qkv`, scale);
  return changed;
}
