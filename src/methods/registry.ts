// The adaptation methods, one folder each; the CLI and the training loop look them up here.
import { InvalidConfigError } from "../errors.js";
import { bitfitMethod } from "./bitfit/index.js";
import { fullMethod } from "./full/index.js";
import { ia3Method } from "./ia3/index.js";
import { loraMethod } from "./lora/index.js";
import { prefixTuningMethod } from "./prefix-tuning/index.js";
import { promptTuningMethod } from "./prompt-tuning/index.js";
import type { MethodDefinition } from "./types.js";

// Each method is typed by its own options; the registry holds them behind the common options-record interface.
export const METHODS: readonly MethodDefinition[] = [fullMethod, loraMethod, bitfitMethod, ia3Method, promptTuningMethod, prefixTuningMethod].map((m) => m as unknown as MethodDefinition);

export function findMethod(name: string): MethodDefinition {
  const method = METHODS.find((m) => m.name === name);
  if (!method) {
    throw new InvalidConfigError({
      en: `unknown method "${name}"; available: ${METHODS.map((m) => m.name).join(", ")}`,
      ko: `알 수 없는 방법 "${name}". 사용 가능: ${METHODS.map((m) => m.name).join(", ")}`,
    });
  }
  return method;
}
