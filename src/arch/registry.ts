// The supported architectures, derived from the arch files: adding one means adding its file and one entry here, or
// one registerArchitecture call from outside (a plugin, or a test's own architecture).
import { InvalidConfigError, UnsupportedArchitectureError } from "../errors.js";
import { exaone } from "./exaone.js";
import { exaone4 } from "./exaone4.js";
import { gemma3 } from "./gemma3.js";
import { llama } from "./llama.js";
import { phi3 } from "./phi3.js";
import { qwen2 } from "./qwen2.js";
import { qwen3 } from "./qwen3.js";
import type { ArchDefinition } from "./types.js";

const registered: ArchDefinition[] = [llama, qwen2, qwen3, gemma3, exaone, exaone4, phi3];

/** The registered architectures, in registration order (a live view: registerArchitecture adds to it). */
export const ARCHITECTURES: readonly ArchDefinition[] = registered;

/** Adds an architecture; its name (the `general.architecture` it reads) must be new. */
export function registerArchitecture(arch: ArchDefinition): void {
  if (registered.some((a) => a.name === arch.name)) {
    throw new InvalidConfigError({ en: `architecture "${arch.name}" is already registered; pick another name`, ko: `아키텍처 "${arch.name}"은(는) 이미 등록되어 있습니다. 다른 이름을 고르세요` });
  }
  registered.push(arch);
}

/** Removes an architecture added with registerArchitecture (tests clean up after themselves). */
export function unregisterArchitecture(name: string): void {
  const i = registered.findIndex((a) => a.name === name);
  if (i >= 0) registered.splice(i, 1);
}

export function findArchitecture(name: string): ArchDefinition {
  const arch = registered.find((a) => a.name === name);
  if (!arch) throw new UnsupportedArchitectureError(name, registered.map((a) => `${a.name} (${a.families})`));
  return arch;
}
