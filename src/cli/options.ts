// Parsers for the flags that no API schema declares (--threads, --ctx of the model host, --gpu-layers, --port, the
// server's limits...): each rejects a bad value with an InvalidFlagValueError naming the flag and the value. Flags of
// an API options schema are parsed by the schema itself (./schema-options.ts).
import { InvalidFlagValueError } from "./flag-value.js";

/** Parser for a positive integer option (commander calls it with the raw string). */
export function positiveInt(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidFlagValueError(option, value, { en: "a positive integer", ko: "양의 정수" }, undefined);
    return n;
  };
}

/** Parser for a positive number option (a fraction is fine). */
export function positiveNumber(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidFlagValueError(option, value, { en: "a positive number", ko: "양수" }, undefined);
    return n;
  };
}

/** Parser for a finite number option. */
export function finiteNumber(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidFlagValueError(option, value, { en: "a number", ko: "숫자" }, undefined);
    return n;
  };
}

/** Layers of the model on the GPU: auto (as many as fit), max (all) or a count. */
export type GpuLayers = "auto" | "max" | number;

/** Parser for --gpu-layers: auto, max or a whole number (0 keeps every layer on the CPU). */
export function gpuLayers(value: string): GpuLayers {
  if (value === "auto" || value === "max") return value;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0) {
    throw new InvalidFlagValueError("--gpu-layers", value, { en: "auto, max or a whole number", ko: "auto, max 또는 0 이상의 정수" }, "auto");
  }
  return n;
}
