// adapter_config.json of a Hugging Face PEFT adapter: the fields localtune reads (validated with zod), the rest kept
// as they are. Field meanings follow peft's LoraConfig (tuners/lora/config.py).
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { AdapterFormatError, FileNotFoundError } from "../../errors.js";

export const PEFT_CONFIG_FILE = "adapter_config.json";
export const PEFT_WEIGHTS_FILE = "adapter_model.safetensors";

export const PeftConfigSchema = z
  .object({
    peft_type: z.string().describe("adapter family: LORA for LoRA; PREFIX_TUNING, PROMPT_TUNING ... for others"),
    task_type: z.string().nullable().optional().describe("CAUSAL_LM for decoder language models"),
    base_model_name_or_path: z.string().nullable().optional().describe("Hugging Face id or path of the base model the adapter was trained on"),
    r: z.number().int().min(1).optional().describe("LoRA rank of every module not listed in rank_pattern"),
    lora_alpha: z.number().optional().describe("LoRA scaling numerator: the update is scaled by lora_alpha / r (lora_alpha / sqrt(r) with use_rslora)"),
    target_modules: z.union([z.array(z.string()), z.string()]).nullable().optional().describe("module names (or one regex) that carry LoRA weights"),
    use_rslora: z.boolean().default(false).describe("rank-stabilised scaling lora_alpha / sqrt(r)"),
    use_dora: z.boolean().default(false).describe("weight-decomposed LoRA (DoRA): adds a magnitude vector per module"),
    fan_in_fan_out: z.boolean().default(false).describe("weights stored as (in, out), as in GPT-2's Conv1D"),
    bias: z.string().default("none").describe('which biases were trained alongside: "none", "all" or "lora_only"'),
    rank_pattern: z.record(z.string(), z.number().int().min(1)).nullable().default({}).describe("per-module ranks, keyed by module name or regex suffix"),
    alpha_pattern: z.record(z.string(), z.number()).nullable().default({}).describe("per-module alphas, keyed by module name or regex suffix"),
    modules_to_save: z.array(z.string()).nullable().optional().describe("whole modules saved besides the LoRA weights (e.g. lm_head)"),
  })
  .passthrough();
export type PeftConfig = z.infer<typeof PeftConfigSchema>;

/** Reads and validates `<dir>/adapter_config.json`. */
export function readPeftConfig(dir: string): PeftConfig {
  const file = path.join(dir, PEFT_CONFIG_FILE);
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "PEFT adapter_config.json");
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new AdapterFormatError(file, { en: `not valid JSON (${(e as Error).message})`, ko: `올바른 JSON이 아닙니다 (${(e as Error).message})` });
  }
  const parsed = PeftConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new AdapterFormatError(file, { en: `not a PEFT adapter config: ${issues}`, ko: `PEFT 어댑터 설정이 아닙니다: ${issues}` });
  }
  return parsed.data;
}

/** The key of `patterns` that applies to `moduleName`, as peft's get_pattern_key matches (a regex on a dotted suffix). */
export function matchPattern(patterns: Readonly<Record<string, unknown>> | null, moduleName: string): string | undefined {
  for (const key of Object.keys(patterns ?? {})) {
    try {
      if (new RegExp(`^(.*\\.)?(${key})$`).test(moduleName)) return key;
    } catch {
      if (moduleName === key || moduleName.endsWith(`.${key}`)) return key;
    }
  }
  return undefined;
}
