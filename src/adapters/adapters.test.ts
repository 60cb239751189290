// Pure pieces of the adapter converters against values worked out by hand: llama's q/k row permutation (as
// convert_hf_to_gguf.py's LlamaModel.permute defines it), PEFT key names, PEFT pattern matching, the merge update,
// and what `adapters info` reports for non-LoRA adapters.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GgmlType, gguf, writeGguf } from "../formats/gguf/index.js";
import { matchPattern } from "../formats/peft/index.js";
import { describeAdapter, formatAdapterInfo } from "./info.js";
import { addLowRank } from "../methods/lora/merge.js";
import { hfModuleName, hfShortName, parseGgufProjection, parsePeftKey, parsePeftKeyAnyArchitecture, peftKey } from "../methods/lora/module-names.js";
import { exaone } from "../arch/exaone.js";
import { llama } from "../arch/llama.js";
import { phi3 } from "../arch/phi3.js";
import { permuteRowsGgufToHf, permuteRowsHfToGguf, permutesQk } from "../methods/lora/permute.js";

describe("llama q/k row permutation", () => {
  // One head of D = 6 rows, one column holding the row index. permute: reshape(1, 2, 3).swapaxes(1, 2) turns
  // [[0, 1, 2], [3, 4, 5]] into [[0, 3], [1, 4], [2, 5]], so the GGUF rows are 0 3 1 4 2 5.
  it("HF -> GGUF matches the converter's reshape/swapaxes on one head", () => {
    expect([...permuteRowsHfToGguf(Float32Array.of(0, 1, 2, 3, 4, 5), 6, 1, 1)]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("GGUF -> HF undoes it, per head, moving whole rows", () => {
    // Two heads of D = 4 (rows 0-3, 4-7), two columns (row r holds r and 10 r): head rows 0 1 2 3 -> 0 2 1 3.
    const hf = Float32Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? i / 2 : 5 * i - 5));
    const gguf = permuteRowsHfToGguf(hf, 8, 2, 2);
    expect([...gguf].filter((_, i) => i % 2 === 0)).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect([...gguf].filter((_, i) => i % 2 === 1)).toEqual([0, 20, 10, 30, 40, 60, 50, 70]);
    expect([...permuteRowsGgufToHf(gguf, 8, 2, 2)]).toEqual([...hf]);
    const random = Float32Array.from({ length: 24 * 3 }, (_, i) => Math.sin(i));
    expect([...permuteRowsHfToGguf(permuteRowsGgufToHf(random, 24, 3, 2), 24, 3, 2)]).toEqual([...random]);
  });

  it("applies to llama only (qwen2/qwen3 use NEOX RoPE and are converted without it)", () => {
    expect(permutesQk("llama")).toBe(true);
    expect(permutesQk("qwen2")).toBe(false);
    expect(permutesQk("qwen3")).toBe(false);
    expect(() => permuteRowsHfToGguf(new Float32Array(6), 6, 1, 4)).toThrow(RangeError);
  });
});

describe("PEFT names", () => {
  it("builds and parses the keys PEFT saves", () => {
    const ref = { layer: 3, projection: "attn_q" };
    expect(peftKey(llama, ref, "A")).toBe("base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight");
    expect(peftKey(llama, { layer: 0, projection: "ffn_down" }, "B")).toBe("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight");
    expect(hfModuleName(llama, ref)).toBe("model.layers.3.self_attn.q_proj");
    expect(hfShortName(llama, "attn_output")).toBe("o_proj");
    expect(parsePeftKey(llama, "base_model.model.model.layers.12.mlp.gate_proj.lora_B.weight")).toEqual({ layer: 12, projection: "ffn_gate", factor: "B" });
    expect(parsePeftKey(llama, "base_model.model.model.layers.2.self_attn.v_proj.lora_A.default.weight")).toEqual({ layer: 2, projection: "attn_v", factor: "A" });
    expect(parsePeftKey(llama, "base_model.model.lm_head.lora_A.weight")).toBeUndefined();
    expect(parsePeftKey(llama, "base_model.model.model.layers.1.self_attn.qkv_proj.lora_A.weight")).toBeUndefined();
    expect(parseGgufProjection("blk.4.ffn_up")).toEqual({ layer: 4, projection: "ffn_up" });
    expect(parseGgufProjection("blk.4.attn_qkv")).toEqual({ layer: 4, projection: "attn_qkv" });
    expect(parseGgufProjection("blk.4.attn_norm")).toBeUndefined();
    expect(parseGgufProjection("output")).toBeUndefined();
  });

  it("uses each architecture's own module names: Phi-3's fused projections, EXAONE 3.5's GPT-2 style paths", () => {
    // transformers' Phi3DecoderLayer: self_attn.qkv_proj, mlp.gate_up_proj; ExaoneBlock: attn.attention.q_proj, mlp.c_fc_0.
    expect(peftKey(phi3, { layer: 1, projection: "attn_qkv" }, "A")).toBe("base_model.model.model.layers.1.self_attn.qkv_proj.lora_A.weight");
    expect(hfShortName(phi3, "ffn_up")).toBe("gate_up_proj");
    expect(parsePeftKey(phi3, "base_model.model.model.layers.1.self_attn.qkv_proj.lora_B.weight")).toEqual({ layer: 1, projection: "attn_qkv", factor: "B" });
    expect(parsePeftKey(phi3, "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight")).toBeUndefined();
    expect(peftKey(exaone, { layer: 2, projection: "ffn_gate" }, "A")).toBe("base_model.model.transformer.h.2.mlp.c_fc_0.lora_A.weight");
    expect(parsePeftKey(exaone, "base_model.model.transformer.h.7.attn.attention.out_proj.lora_A.weight")).toEqual({ layer: 7, projection: "attn_output", factor: "A" });
    expect(parsePeftKey(exaone, "base_model.model.model.layers.7.self_attn.o_proj.lora_A.weight")).toBeUndefined();
    expect(parsePeftKeyAnyArchitecture("base_model.model.transformer.h.0.mlp.c_proj.lora_B.weight")?.arch.name).toBe("exaone");
  });

  it("matches rank/alpha patterns like peft's get_pattern_key (regex on a dotted suffix)", () => {
    const patterns = { q_proj: 16, "model.layers.1.mlp.up_proj": 4, "layers\\.[0-9]+\\.self_attn\\.v_proj": 2 };
    expect(matchPattern(patterns, "model.layers.0.self_attn.q_proj")).toBe("q_proj");
    expect(matchPattern(patterns, "model.layers.1.mlp.up_proj")).toBe("model.layers.1.mlp.up_proj");
    expect(matchPattern(patterns, "model.layers.11.mlp.up_proj")).toBeUndefined();
    expect(matchPattern(patterns, "model.layers.7.self_attn.v_proj")).toBe("layers\\.[0-9]+\\.self_attn\\.v_proj");
    expect(matchPattern(patterns, "model.layers.0.self_attn.k_proj")).toBeUndefined();
    expect(matchPattern(null, "x")).toBeUndefined();
  });
});

describe("merge update", () => {
  it("adds factor * B A to W (row-major [out][in])", () => {
    // in 3, out 2, r 2. A = [[1, 0, 2], [0, 1, -1]], B = [[1, 2], [3, -1]].
    // B A = [[1, 2, 0], [3, -1, 7]]; with W = 1 everywhere and factor 0.5: [[1.5, 2, 1], [2.5, 0.5, 4.5]].
    const w = new Float32Array(6).fill(1);
    addLowRank(w, Float32Array.of(1, 0, 2, 0, 1, -1), Float32Array.of(1, 2, 3, -1), 3, 2, 2, 0.5);
    expect([...w]).toEqual([1.5, 2, 1, 2.5, 0.5, 4.5]);
  });

  it("gives the same sums with rank 5 (four components per pass, then one) as the plain triple loop", () => {
    const [nIn, nOut, r] = [7, 3, 5];
    const a = Float32Array.from({ length: r * nIn }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: nOut * r }, (_, i) => Math.cos(i));
    const w = new Float32Array(nIn * nOut).fill(0.25);
    addLowRank(w, a, b, nIn, nOut, r, -1.5);
    for (let o = 0; o < nOut; o++) {
      for (let i = 0; i < nIn; i++) {
        let sum = 0;
        for (let k = 0; k < r; k++) sum += b[o * r + k]! * a[k * nIn + i]!;
        expect(w[o * nIn + i]).toBeCloseTo(0.25 - 1.5 * sum, 6);
      }
    }
  });
});

describe("adapter info for other adapter types", () => {
  it("describes a prompt-tuning GGUF and a PEFT PROMPT_TUNING folder by their own metadata", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-info-"));
    const file = path.join(dir, "pt.gguf");
    await writeGguf(file, {
      metadata: { "general.architecture": gguf.str("llama"), "general.type": gguf.str("adapter"), "adapter.type": gguf.str("prompt-tuning"), "adapter.prompt_tuning.virtual_tokens": gguf.u32(20) },
      tensors: [{ name: "prompt.embd", type: GgmlType.F32, ne: [64, 20], data: new Float32Array(1280) }],
    });
    const info = describeAdapter(file);
    expect(info).toMatchObject({ format: "gguf", type: "prompt-tuning", arch: "llama", ranks: [], alpha: null, targets: ["prompt.embd"], tensors: 1, parameters: 1280, dtypes: ["f32"] });
    expect(info.details).toEqual({ "adapter.prompt_tuning.virtual_tokens": "20" });
    expect(formatAdapterInfo(info)).toContain("adapter.prompt_tuning.virtual_tokens  20");
    fs.writeFileSync(path.join(dir, "adapter_config.json"), JSON.stringify({ peft_type: "PROMPT_TUNING", task_type: "CAUSAL_LM", num_virtual_tokens: 8, base_model_name_or_path: "Qwen/Qwen2-0.5B" }));
    expect(describeAdapter(dir)).toMatchObject({ format: "peft", type: "PROMPT_TUNING", baseModel: "Qwen/Qwen2-0.5B", tensors: 0, details: { num_virtual_tokens: "8" } });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
