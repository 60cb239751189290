// Typed access to GGUF metadata: each getter checks the stored type and throws a GgufFormatError naming the key
// when it is missing or of another type; with a fallback argument a missing key returns the fallback instead.
import { GgufFormatError } from "../../errors.js";
import type { GgufArray, GgufValue, GgufValueType } from "./values.js";

const INTEGER_TYPES: ReadonlySet<GgufValueType> = new Set(["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64"]);

/** Read-only metadata of one GGUF file with typed getters. */
export class GgufMetadata {
  constructor(
    /** File name used in error messages. */
    readonly file: string,
    /** Every key-value pair, in file order. */
    readonly metadata: ReadonlyMap<string, GgufValue>,
  ) {}

  has(key: string): boolean {
    return this.metadata.has(key);
  }

  /** The typed value, or undefined when the key is absent. */
  get(key: string): GgufValue | undefined {
    return this.metadata.get(key);
  }

  private typeError(key: string, expected: string, found: GgufValue | undefined): GgufFormatError {
    const foundText = found === undefined ? undefined : found.type === "array" ? `array of ${found.value.itemType}` : found.type;
    return new GgufFormatError(
      this.file,
      key,
      foundText === undefined
        ? { en: `missing key (expected ${expected})`, ko: `키가 없습니다 (기대한 타입: ${expected})` }
        : { en: `expected ${expected}, found ${foundText}`, ko: `${expected} 타입이어야 하지만 ${foundText}입니다` },
    );
  }

  /** Looks up `key`; returns `fallback` (marked by `hasFallback`) for a missing key, else checks the type. */
  private pick<T>(key: string, expected: string, accept: (v: GgufValue) => T | undefined, fallback: unknown[]): T {
    const v = this.metadata.get(key);
    if (v === undefined && fallback.length > 0) return fallback[0] as T;
    const out = v === undefined ? undefined : accept(v);
    if (out === undefined) throw this.typeError(key, expected, v);
    return out;
  }

  /** A string value. */
  getString(key: string): string;
  getString<F>(key: string, fallback: F): string | F;
  getString(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "string", (v) => (v.type === "string" ? v.value : undefined), fallback);
  }

  /** A uint32 value, exactly (e.g. `general.alignment`). */
  getU32(key: string): number;
  getU32<F>(key: string, fallback: F): number | F;
  getU32(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "uint32", (v) => (v.type === "uint32" ? v.value : undefined), fallback);
  }

  /** A uint64 value as a bigint, exactly. */
  getU64(key: string): bigint;
  getU64<F>(key: string, fallback: F): bigint | F;
  getU64(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "uint64", (v) => (v.type === "uint64" ? v.value : undefined), fallback);
  }

  /**
   * Any integer type as a number (converters disagree on u32 / i32 / u64 for hyper-parameters such as
   * `llama.context_length`); a 64-bit value beyond 2^53 is a type error rather than a rounded number.
   */
  getInt(key: string): number;
  getInt<F>(key: string, fallback: F): number | F;
  getInt(key: string, ...fallback: unknown[]): unknown {
    const accept = (v: GgufValue) => {
      if (!INTEGER_TYPES.has(v.type)) return undefined;
      const n = Number(v.value);
      return Number.isSafeInteger(n) ? n : undefined;
    };
    return this.pick(key, "integer", accept, fallback);
  }

  /** A float32 value, exactly (e.g. `llama.attention.layer_norm_rms_epsilon`). */
  getF32(key: string): number;
  getF32<F>(key: string, fallback: F): number | F;
  getF32(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "float32", (v) => (v.type === "float32" ? v.value : undefined), fallback);
  }

  /** A float32 or float64 value. */
  getFloat(key: string): number;
  getFloat<F>(key: string, fallback: F): number | F;
  getFloat(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "float32 or float64", (v) => (v.type === "float32" || v.type === "float64" ? v.value : undefined), fallback);
  }

  /** A bool value. */
  getBool(key: string): boolean;
  getBool<F>(key: string, fallback: F): boolean | F;
  getBool(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "bool", (v) => (v.type === "bool" ? v.value : undefined), fallback);
  }

  /** An array of any item type. */
  getArray(key: string): GgufArray;
  getArray<F>(key: string, fallback: F): GgufArray | F;
  getArray(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "array", (v) => (v.type === "array" ? v.value : undefined), fallback);
  }

  /** An array of strings (e.g. `tokenizer.ggml.tokens`). */
  getStringArray(key: string): readonly string[];
  getStringArray<F>(key: string, fallback: F): readonly string[] | F;
  getStringArray(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "array of string", (v) => (v.type === "array" && v.value.itemType === "string" ? v.value.items : undefined), fallback);
  }

  /** An array of float32 (e.g. `tokenizer.ggml.scores`). */
  getF32Array(key: string): Float32Array;
  getF32Array<F>(key: string, fallback: F): Float32Array | F;
  getF32Array(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "array of float32", (v) => (v.type === "array" && v.value.itemType === "float32" ? v.value.items : undefined), fallback);
  }

  /** An array of int32 (e.g. `tokenizer.ggml.token_type`). */
  getI32Array(key: string): Int32Array;
  getI32Array<F>(key: string, fallback: F): Int32Array | F;
  getI32Array(key: string, ...fallback: unknown[]): unknown {
    return this.pick(key, "array of int32", (v) => (v.type === "array" && v.value.itemType === "int32" ? v.value.items : undefined), fallback);
  }
}
