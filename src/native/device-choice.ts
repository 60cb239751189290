// One compute-device choice per process. It picks the node-llama-cpp build (CPU, CUDA, Vulkan or Metal), hence the
// ggml libraries, once: a process can hold only one build, because both node-llama-cpp and our ggml bindings map that
// build's libraries (docs/engine-notes.md, "one ggml per process"). Later requests must be compatible with it.
import { DeviceConflictError, InvalidConfigError } from "../errors.js";

export const DEVICE_CHOICES = ["auto", "cpu", "cuda", "vulkan", "metal"] as const;
/** auto: a real GPU when one is usable and the work fits its memory, else the CPU; the others name one backend. */
export type DeviceChoice = (typeof DEVICE_CHOICES)[number];
/** The node-llama-cpp build a process runs: "cpu" for the plain CPU build. */
export type LlamaBuild = "cpu" | "cuda" | "vulkan" | "metal";

let selected: DeviceChoice | undefined;
let loadedBuild: LlamaBuild | undefined;

/** Parses a --device value (or LOCALTUNE_DEVICE) with a clear error. */
export function parseDeviceChoice(value: string, source = "--device"): DeviceChoice {
  if ((DEVICE_CHOICES as readonly string[]).includes(value)) return value as DeviceChoice;
  throw new InvalidConfigError({
    en: `${source} must be one of ${DEVICE_CHOICES.join(", ")}, got "${value}".`,
    ko: `${source}는 ${DEVICE_CHOICES.join(", ")} 중 하나여야 하지만 "${value}"입니다.`,
  });
}

/** Whether a loaded build can serve a request: every build has ggml's CPU backend, so "cpu" and "auto" always fit. */
export function buildServes(build: LlamaBuild, choice: DeviceChoice): boolean {
  return choice === "auto" || choice === "cpu" || choice === build;
}

/** Fixes this process's device choice; after a build is loaded, an incompatible request is a DeviceConflictError. */
export function selectDevice(choice: DeviceChoice): void {
  if (loadedBuild !== undefined && !buildServes(loadedBuild, choice)) throw new DeviceConflictError(choice, loadedBuild);
  selected = choice;
}

/** The choice in force: selectDevice's, else LOCALTUNE_DEVICE, else "auto". */
export function currentDeviceChoice(): DeviceChoice {
  if (selected) return selected;
  const fromEnv = process.env.LOCALTUNE_DEVICE;
  return fromEnv ? parseDeviceChoice(fromEnv, "LOCALTUNE_DEVICE") : "auto";
}

/** node-llama-cpp's `gpu` option for a choice: the CPU build for "cpu", its own fallback order for "auto". */
export function nodeLlamaCppGpuOption(choice: DeviceChoice): false | "auto" | "cuda" | "vulkan" | "metal" {
  return choice === "cpu" ? false : choice;
}

/** Records which build node-llama-cpp loaded (called once by the runtime loader). */
export function recordLoadedBuild(build: LlamaBuild): void {
  loadedBuild = build;
}

/** The build this process runs, once loaded. */
export function currentBuild(): LlamaBuild | undefined {
  return loadedBuild;
}
