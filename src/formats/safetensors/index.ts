// Public API of the pure-TypeScript safetensors layer: a validated reader (data read per tensor) and an atomic writer.
export { readSafetensors, parseSafetensors, SafetensorsFile, SAFETENSORS_MAX_HEADER_BYTES, type SafetensorsTensorInfo } from "./reader.js";
export { writeSafetensors, encodeSafetensors, type SafetensorsContent, type SafetensorsTensorInput } from "./writer.js";
export { SAFETENSORS_DTYPE_BYTES, FLOAT_DTYPES, isSafetensorsDtype, type SafetensorsDtype } from "./dtypes.js";
