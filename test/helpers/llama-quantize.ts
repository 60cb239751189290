// The reference for our quantized exports: llama.cpp's own quantizer (llama_model_quantize in the libllama that
// node-llama-cpp ships and has already loaded), called through koffi on the same input file. Test-only: the struct
// layout is llama.h's llama_model_quantize_params of the llama.cpp release node-llama-cpp 3.21.1 bundles.
import fs from "node:fs";
import path from "node:path";
import koffi from "koffi";
import { loadGgml } from "../../src/native/ggml-runtime.js";

/** llama_ftype values (llama.h). */
export const LLAMA_FTYPE = { f16: 1, q8_0: 7, q4_k_m: 15, q5_k_m: 17 } as const;

type QuantizeFn = (input: string, output: string, params: unknown) => number;
let quantize: QuantizeFn | undefined;
let defaults: (() => Record<string, unknown>) | undefined;


/** Quantizes `input` into `output` with llama.cpp's rules and ggml's quantizers (no importance matrix). */
export async function llamaCppQuantize(input: string, output: string, ftype: number): Promise<void> {
  if (!quantize) {
    const { paths } = await loadGgml();
    const name = fs.readdirSync(paths.binDir).find((f) => /^(lib)?llama(\.(cuda|vulkan|metal))?(\.v[\d.]+)?\.(so|dll|dylib)$/.test(f));
    if (!name) throw new Error(`no libllama in ${paths.binDir}`);
    const lib = koffi.load(path.join(paths.binDir, name));
    koffi.struct("llama_model_quantize_params", {
      nthread: "int32_t",
      ftype: "int32_t",
      output_tensor_type: "int32_t",
      token_embedding_type: "int32_t",
      allow_requantize: "bool",
      quantize_output_tensor: "bool",
      only_copy: "bool",
      pure: "bool",
      keep_split: "bool",
      dry_run: "bool",
      imatrix: "void *",
      kv_overrides: "void *",
      tt_overrides: "void *",
      prune_layers: "void *",
      max_buf_size: "size_t",
    });
    defaults = lib.func("llama_model_quantize_params llama_model_quantize_default_params(void)") as () => Record<string, unknown>;
    quantize = lib.func("uint32_t llama_model_quantize(const char *fname_inp, const char *fname_out, const llama_model_quantize_params *params)") as QuantizeFn;
  }
  const params = { ...defaults!(), ftype, nthread: 1 };
  const status = quantize!(input, output, params);
  if (status !== 0) throw new Error(`llama_model_quantize failed (${status}) on ${input}`);
}
