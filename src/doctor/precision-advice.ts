// The doctor's sentence on `--precision` for this CPU: which mode the measured benchmarks favour on its instruction
// set (docs/performance.md, "Precision modes" and "Low-rank out_prod, a Q8_0 backward..."). The doctor's time
// estimates are calibrated on F32 products, so the sentence says so.
import type { Bilingual } from "../i18n/index.js";

/** What the doctor adds to its CPU verdict about precision modes, from the CPU's SIMD flags (cpu.ts names). */
export function precisionAdvice(simd: readonly string[]): Bilingual {
  // ggml's tiled BF16 kernel multiplies BF16 pairs natively only with AVX512-BF16 (AMX's BF16 tiles come with it).
  if (simd.includes("AVX512_BF16")) {
    return {
      en: " This CPU multiplies BF16 natively (AVX512_BF16): full fine-tuning with --precision bf16 ran 1.6x as fast as F32 on the benchmark's reference config (docs/performance.md); the times below are F32's.",
      ko: " 이 CPU는 BF16 곱셈을 직접 합니다(AVX512_BF16): --precision bf16으로 전체 미세조정을 하면 벤치마크 기준 설정에서 F32보다 1.6배 빨랐습니다(docs/performance.md). 아래 시간은 F32 기준입니다.",
    };
  }
  // Without BF16 instructions ggml's Q8_0 integer kernel is the fast one (1.7x its F32 and BF16 kernels on AVX2).
  if (simd.includes("AVX2")) {
    return {
      en: ` This CPU has no BF16 instructions, so its fastest products are Q8_0's: full fine-tuning with --precision q8 ran ${Q8_OVER_F32_AVX2}x as fast as F32 on the benchmark's reference config with ggml's AVX2 build, its held-out loss staying within 0.4% of F32's on stories260K but drifting 1.5% on a larger model that overfit; LoRA on a quantized base runs its backward in Q8_0 by itself, with no such drift (docs/performance.md). The times below are F32's.`,
      ko: ` 이 CPU에는 BF16 명령이 없어 Q8_0 곱셈이 가장 빠릅니다: --precision q8로 전체 미세조정을 하면 벤치마크 기준 설정에서 ggml AVX2 빌드로 F32보다 ${Q8_OVER_F32_AVX2}배 빨랐습니다(검증 손실은 stories260K에서 F32와 0.4% 이내, 과적합된 더 큰 모델에서는 1.5% 차이). 양자화 기반 위의 LoRA는 역전파를 알아서 Q8_0으로 계산하며 그런 차이가 없었습니다(docs/performance.md). 아래 시간은 F32 기준입니다.`,
    };
  }
  return { en: "", ko: "" };
}

/** Full fine-tuning, reference config, ggml's haswell build: --precision q8 tokens/s over F32's in the same run. */
const Q8_OVER_F32_AVX2 = "1.4"; // 280 -> 398 and 274 -> 387 tok/s, 2026-12-06 17:38 UTC
