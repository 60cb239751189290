// safetensors element types (the `dtype` strings of the format) and their sizes in bytes. Sub-byte types (F4, F6_*)
// are not listed: no adapter uses them, and a file holding them is rejected by name.

/** Bytes per element of each dtype the reader accepts. */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

export function isSafetensorsDtype(name: string): name is SafetensorsDtype {
  return Object.hasOwn(SAFETENSORS_DTYPE_BYTES, name);
}

/** The floating-point dtypes that convert to float32 (`SafetensorsFile.readFloat32`). */
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ["F32", "F16", "BF16", "F64"];
