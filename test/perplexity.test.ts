// `localtune ppl` equals the perplexity computed from llama.cpp's own probabilities (node-llama-cpp) on the same
// windows, within 0.1%.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { measurePerplexity, tokenizeForScoring } from "../src/engine/measure-perplexity.js";
import { planWindows } from "../src/engine/perplexity.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { referenceLogProbs } from "./helpers/reference-logprobs.js";
import { STORIES_260K } from "./helpers/test-models.js";

const TEXT =
  "Once upon a time, there was a little boy named Tim. Tim had a big red ball. He liked to play with it in the park. " +
  "One day, Tim saw a small dog. The dog was sad because it was lost. Tim wanted to help the dog find its home. " +
  "They walked and walked until they found a little house with a green door. A girl came out and hugged the dog. " +
  "She said thank you to Tim, and they all played together with the big red ball until the sun went down.";

describe("perplexity", () => {
  it("equals the perplexity from node-llama-cpp's probabilities on the same strided windows (within 0.1%)", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ppl-")), "story.txt");
    fs.writeFileSync(file, TEXT);
    const ctx = 48;
    const stride = 32;
    const ours = await measurePerplexity({ model: STORIES_260K, file, ctx, stride, threads: 2 });

    const tokens = Array.from(await tokenizeForScoring(STORIES_260K, TEXT));
    const reference = await loadLlamaModel(STORIES_260K, { gpu: "cpu" });
    let nll = 0;
    let scored = 0;
    for (const w of planWindows(tokens.length, ctx, stride)) {
      const windowTokens = tokens.slice(w.start, w.end);
      const logProbs = await referenceLogProbs(reference, windowTokens, 512);
      for (let p = w.firstScored; p < w.end; p++) {
        nll -= logProbs[p - 1 - w.start]![tokens[p]!]!;
        scored++;
      }
    }
    await reference.dispose();
    const expected = Math.exp(nll / scored);
    expect(ours.scoredTokens).toBe(scored);
    expect(ours.scoredTokens).toBe(tokens.length - 1);
    expect(Math.abs(ours.perplexity - expected) / expected).toBeLessThan(1e-3);
    expect(ours.tokensPerSecond).toBeGreaterThan(0);
  });
});
