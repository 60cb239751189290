// Prefix tuning options (Li & Liang 2021, "Prefix-Tuning: Optimizing Continuous Prompts for Generation").
import { z } from "zod";

export const PrefixTuningOptionsSchema = z.object({
  prefixTokens: z.number().int().min(1).max(4096).default(10).describe("prefix length P: key/value pairs added in front of every layer's attention").meta({ ko: "프리픽스 길이 P: 모든 층의 어텐션 앞에 더하는 키/값 쌍 수" }),
  initText: z
    .string()
    .min(1)
    .optional()
    .describe("initialise the prefixes from the keys and values the model computes for this text (repeated or cut to P tokens; not with reparam); default: random vocabulary tokens")
    .meta({ ko: "이 텍스트에 대해 모델이 계산한 키와 값으로 프리픽스를 초기화 (P 토큰으로 반복하거나 자름; reparam과 함께 쓸 수 없음); 기본: 무작위 어휘 토큰" }),
  initTokens: z
    .array(z.number().int().min(0))
    .min(1)
    .optional()
    .describe("token ids of initText, filled in by the method from the model's tokenizer before training (or given directly)"),
  reparam: z.boolean().default(false).describe("train the prefixes through an MLP (embedding [E', P] -> Linear -> tanh -> Linear to every layer's keys and values), as in the paper, initialised at random (PyTorch defaults); only the MLP's output is saved")
    .meta({ ko: "논문처럼 MLP(임베딩 [E', P] -> Linear -> tanh -> Linear, 모든 층의 키와 값으로)를 거쳐 프리픽스를 학습; 저장되는 것은 MLP의 출력뿐" }),
  reparamHidden: z.number().int().min(1).max(65536).default(512).describe("hidden width of the reparameterisation MLP (the paper uses 512 to 800)").meta({ ko: "재매개화 MLP의 은닉 폭 (논문은 512-800)" }),
  reparamEmbd: z.number().int().min(1).max(65536).optional().describe("width E' of the small prefix embedding fed to the MLP; default the model's embedding width").meta({ ko: "MLP에 넣는 작은 프리픽스 임베딩의 폭 E'; 기본은 모델의 임베딩 폭" }),
});
export type PrefixTuningOptions = z.infer<typeof PrefixTuningOptionsSchema>;
