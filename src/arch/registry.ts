// The supported architectures, derived from the arch files: adding one means adding its file and one entry here.
import { UnsupportedArchitectureError } from "../errors.js";
import { llama } from "./llama.js";
import { qwen2 } from "./qwen2.js";
import { qwen3 } from "./qwen3.js";
import type { ArchDefinition } from "./types.js";

export const ARCHITECTURES: readonly ArchDefinition[] = [llama, qwen2, qwen3];

export function findArchitecture(name: string): ArchDefinition {
  const arch = ARCHITECTURES.find((a) => a.name === name);
  if (!arch) throw new UnsupportedArchitectureError(name, ARCHITECTURES.map((a) => `${a.name} (${a.families})`));
  return arch;
}
