// Load-and-play into localtune's own engine: GGUF LoRA adapters (or PEFT folders, converted for this base) applied at
// the matmul like llama.cpp's build_lora_mm, y = W x + sum over adapters of scale * alpha / r * B (A x), so scoring
// (perplexity, evaluation) sees what llama.cpp runs. Several adapters stack; the base weights stay untouched.
import type { DecoderHooks } from "../../engine/graph/hooks.js";
import type { EngineModel } from "../../engine/model.js";
import { ParamStore } from "../../engine/param-store.js";
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import { checkLoraAgainstBase, loraPairScale, readGgufLora, readLoraPair } from "./gguf-lora.js";
import { resolveAdapterFile } from "./resolve.js";

export interface EngineLora {
  hooks: DecoderHooks;
  /** Frees the adapter tensors (the model stays loaded). */
  dispose(): void;
}

/** Attaches LoRA adapters to a loaded engine model (factors held in F32 on the model's backend). */
export async function loadEngineLora(model: EngineModel, adapters: readonly { path: string; scale?: number }[], modelPath: string): Promise<EngineLora> {
  const specs: { name: string; ne: number[]; init: Float32Array }[] = [];
  const byProjection = new Map<string, { a: string; b: string; factor: number }[]>();
  for (const [index, spec] of adapters.entries()) {
    const lora = readGgufLora(await resolveAdapterFile(spec.path, modelPath));
    checkLoraAgainstBase(lora, model.file, modelPath);
    for (const pair of lora.pairs) {
      const { a, b } = readLoraPair(lora, pair);
      // Names stay within ggml's 63 bytes: the adapter's index, not its path.
      const aName = `lora${index}.${pair.name}.a`;
      const bName = `lora${index}.${pair.name}.b`;
      specs.push({ name: aName, ne: [pair.nIn, pair.rank], init: a }, { name: bName, ne: [pair.rank, pair.nOut], init: b });
      const list = byProjection.get(pair.name) ?? [];
      list.push({ a: aName, b: bName, factor: (spec.scale ?? 1) * loraPairScale(lora.alpha, pair.rank) });
      byProjection.set(pair.name, list);
    }
  }
  const store = new ParamStore(model, specs);
  return {
    hooks: {
      linear(g, name, weight, x) {
        const list = byProjection.get(name);
        if (!list) return undefined;
        const { api, ctx } = g;
        let y: GgmlTensor = api.ggml_mul_mat(ctx, weight, x); //                      [out, N]
        for (const l of list) {
          const ax = api.ggml_mul_mat(ctx, store.get(l.a), x); //                     [r, N]
          const bax = api.ggml_mul_mat(ctx, store.get(l.b), ax); //                   [out, N]
          y = api.ggml_add(ctx, y, api.ggml_scale(ctx, bax, l.factor));
        }
        return y;
      },
    },
    dispose: () => store.dispose(),
  };
}
