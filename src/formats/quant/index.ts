// Element conversions between float32 and ggml storage types, in pure TypeScript and bit-exact with ggml's reference code.
export { f32ToF16Bits, f16BitsToF32, f32ToF16Array, f16ToF32Array, f32ToBf16Bits, bf16BitsToF32, f32ToBf16Array, bf16ToF32Array } from "./half.js";
export { quantizeQ8_0, dequantizeQ8_0, QK8_0, Q8_0_BLOCK_BYTES } from "./q8_0.js";
export { quantizeQ4_0, dequantizeQ4_0, QK4_0, Q4_0_BLOCK_BYTES } from "./q4_0.js";
export { dequantizeQ4_K, dequantizeQ6_K, q4kScaleMin, QK_K, Q4_K_BLOCK_BYTES, Q6_K_BLOCK_BYTES } from "./k-quants.js";
export { dequantize, quantize, DEQUANTIZABLE_TYPES, QUANTIZABLE_TYPES } from "./convert.js";
