// The adaptation methods, one folder each. Everything that lists or dispatches on methods (the training loop, the CLI
// and its help, the ladder, the doctor's plan, the engine generator's adapter loading) reads this registry, so adding
// a method is its folder plus one line here, or one registerMethod call from outside.
import { InvalidConfigError } from "../errors.js";
import type { Bilingual } from "../i18n/index.js";
import { bitfitMethod } from "./bitfit/index.js";
import { fullMethod } from "./full/index.js";
import { ia3Method } from "./ia3/index.js";
import { loraMethod } from "./lora/index.js";
import { prefixTuningMethod } from "./prefix-tuning/index.js";
import { promptTuningMethod } from "./prompt-tuning/index.js";
import type { MethodDefinition } from "./types.js";

// Each method is typed by its own options; the registry holds them behind the common options-record interface.
const registered: MethodDefinition[] = [fullMethod, loraMethod, bitfitMethod, ia3Method, promptTuningMethod, prefixTuningMethod].map((m) => m as unknown as MethodDefinition);

/** The registered methods, in registration order (a live view: registerMethod adds to it). */
export const METHODS: readonly MethodDefinition[] = registered;

/**
 * Adds a method (a plugin, or a test's own method). Its name, adapter type and rung ids must be new: they select it on
 * the command line, in adapter files and in the ladder and doctor tables.
 */
export function registerMethod<Options extends Record<string, unknown>>(method: MethodDefinition<Options>): void {
  const clash = (what: string, taken: boolean) => {
    if (taken) throw new InvalidConfigError({ en: `method "${method.name}": its ${what} is already registered; pick another`, ko: `방법 "${method.name}": ${what}이(가) 이미 등록되어 있습니다. 다른 것을 고르세요` });
  };
  clash(`name "${method.name}"`, registered.some((m) => m.name === method.name));
  if (method.adapter) {
    const type = method.adapter.type;
    clash(`adapter type "${type}"`, registered.some((m) => m.adapter?.type === type));
  }
  const ladderIds = new Set(registered.flatMap((m) => ladderVariantsOf(m).map((v) => v.id)));
  for (const v of method.ladderVariants) clash(`ladder rung "${v.id}"`, ladderIds.has(v.id));
  const doctorIds = new Set(registered.flatMap((m) => m.doctorFormulas.map((f) => f.id)));
  for (const f of method.doctorFormulas) clash(`doctor rung "${f.id}"`, doctorIds.has(f.id));
  registered.push(method as unknown as MethodDefinition);
}

/** Removes a method added with registerMethod (tests clean up after themselves). */
export function unregisterMethod(name: string): void {
  const i = registered.findIndex((m) => m.name === name);
  if (i >= 0) registered.splice(i, 1);
}

export function findMethod(name: string): MethodDefinition {
  const method = registered.find((m) => m.name === name);
  if (!method) {
    throw new InvalidConfigError({
      en: `unknown method "${name}"; available: ${registered.map((m) => m.name).join(", ")}`,
      ko: `알 수 없는 방법 "${name}". 사용 가능: ${registered.map((m) => m.name).join(", ")}`,
    });
  }
  return method;
}

/** The methods in ladder order (ladderPosition, then registration order): cheapest first, DAPT last. */
export function methodsInLadderOrder(): MethodDefinition[] {
  return registered.map((m, i) => ({ m, i })).sort((a, b) => a.m.ladderPosition - b.m.ladderPosition || a.i - b.i).map(({ m }) => m);
}

/** A method's ladder rungs: its variants, or one rung with its default options; each with its learning rate. */
export function ladderVariantsOf(method: MethodDefinition): Array<{ id: string; label: string; options: Record<string, unknown>; lr: number }> {
  const variants = method.ladderVariants.length > 0 ? method.ladderVariants : [{ id: method.name, label: method.name, options: {} }];
  return variants.map((v) => ({ id: v.id, label: v.label, options: v.options, lr: v.lr ?? method.defaultLr }));
}

/** The method whose saved adapters carry this GGUF adapter.type, if any. */
export function methodOfAdapterType(type: string): MethodDefinition | undefined {
  return registered.find((m) => m.adapter?.type === type);
}

/** Methods whose adapters only localtune's engine runs (llama.cpp cannot load them). */
export function engineAdapterMethods(): MethodDefinition[] {
  return methodsInLadderOrder().filter((m) => m.adapter !== undefined && !m.adapter.llamaCppLoads);
}

/** The engine-run adapter kinds as help text lists them: "prompt-tuning, prefix-tuning, IA3 or BitFit". */
export function engineAdapterList(): Bilingual {
  const labels = engineAdapterMethods().map((m) => m.adapter!.label);
  const en = labels.map((l) => l.en);
  return {
    en: en.length > 1 ? `${en.slice(0, -1).join(", ")} or ${en[en.length - 1]}` : (en[0] ?? ""),
    ko: labels.map((l) => l.ko).join(", "),
  };
}
