// Evaluation over node-llama-cpp with the real stories260K model: log-probabilities obey the chain rule and agree
// with greedy decoding, perplexity covers every token once, and the grammar-forced judge always returns JSON
// that matches its schema (the verdicts of a 260K-parameter story model are nonsense, the format must not be).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { LlamaModel } from "node-llama-cpp";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { createLlamaEvalBackend, type LlamaEvalBackend } from "../src/eval/llama-scorer.js";
import { createLlamaJudge } from "../src/eval/judge.js";
import { runSuite, type SuiteItem } from "../src/eval/suite.js";

const MODEL = path.resolve("models/stories260K.gguf");
// One thread: on a busy 2-core CI machine, ggml's spinning threads make token-by-token decoding crawl.
const THREADS = 1;

let model: LlamaModel;
let backend: LlamaEvalBackend;

beforeAll(async () => {
  model = await loadLlamaModel(MODEL, { gpu: "cpu" });
  backend = await createLlamaEvalBackend(model, { contextSize: 128, threads: THREADS });
});

afterAll(async () => {
  await backend?.dispose();
  await model?.dispose();
});

describe("node-llama-cpp scorer", () => {
  it("chain rule: log p(a b | c) = log p(a | c) + log p(b | c a) when the tokens split at the same place", async () => {
    const c = "Once upon a time";
    const a = ", there was";
    const b = " a little girl";
    // the tokenizations of c + a and of c + a + b must agree on the prefix for the identity to hold
    const ab = model.tokenize(c + a + b);
    const aOnly = model.tokenize(c + a);
    expect(ab.slice(0, aOnly.length)).toEqual(aOnly);
    const whole = await backend.scorer.logprob(c, a + b);
    const parts = (await backend.scorer.logprob(c, a)) + (await backend.scorer.logprob(c + a, b));
    expect(whole).toBeLessThan(0);
    expect(whole).toBeCloseTo(parts, 4);
  });

  it("the greedy continuation is the likeliest choice, token by token", async () => {
    const prompt = "Once upon a time, there was a little girl named";
    const greedy = await backend.generator.complete(prompt, { maxTokens: 1 });
    const alternatives = [" Tom", " Sue", " Max", " Ben"].filter((w) => w !== greedy);
    const best = await backend.scorer.logprob(prompt, greedy);
    for (const alt of alternatives) {
      const altTokens = model.tokenize(prompt + alt).length - model.tokenize(prompt).length;
      // compare one-token continuations only: longer ones are not single greedy steps
      if (altTokens === 1) expect(best).toBeGreaterThanOrEqual(await backend.scorer.logprob(prompt, alt));
    }
    // docs/engine-notes.md, "Reference log-probabilities": stories260K continues "Once upon a time" with ", there was a little girl named Lily."
    expect(greedy.trim()).toBe("Lily");
  });

  it("perplexity scores every text token once, across windows", async () => {
    const text =
      "Once upon a time, there was a little girl named Lily. She loved to play with her toys and her friends. " +
      "One day, she went to the park with her mom. They saw a big tree with red apples. Lily wanted one. " +
      "Her mom picked an apple and gave it to her. Lily said thank you and ate it. It was sweet and juicy. " +
      "After that, they went home and Lily told her dad about the big tree. He smiled and gave her a hug.";
    const tokens = model.tokenize(text).length;
    expect(tokens).toBeGreaterThan(128); // more than one 128-token window
    const r = await backend.scorer.perplexity(text);
    // stream = BOS + text; windows of 128; each window's first token is context only
    const windows = Math.ceil((tokens + 1) / 128);
    expect(r.tokens).toBe(tokens + 1 - windows);
    expect(r.windowTokens).toBe(128);
    expect(r.perplexity).toBeCloseTo(Math.exp(r.nll / r.tokens), 10);
    // in-domain TinyStories text: a trained model is far better than uniform over its 512-token vocabulary
    expect(r.perplexity).toBeGreaterThan(1);
    expect(r.perplexity).toBeLessThan(20);
    // off-domain text (Korean through byte fallback) is much less likely
    const korean = await backend.scorer.perplexity("옛날 옛적에 작은 마을에 한 소녀가 살았습니다.");
    expect(korean.perplexity).toBeGreaterThan(r.perplexity * 5);
  });

  it("runSuite end to end: cloze from greedy decoding and multiple choice from log-likelihood", async () => {
    const items: SuiteItem[] = [
      { kind: "cloze", id: "lily", prompt: "Once upon a time, there was a little girl named", answer: "Lily", maxTokens: 4 },
      { kind: "cloze", id: "wrong", prompt: "Once upon a time, there was a little girl named", answer: "Zork", maxTokens: 4 },
      { kind: "mc", id: "mc", question: "Once upon a time, there was a little", choices: ["zebra crossing", "girl"], answer: 1 },
    ];
    const r = await runSuite(backend.generator, backend.scorer, items);
    expect(r.items.map((i) => i.correct)).toEqual([true, false, true]);
    expect(r.summary.cloze!.accuracy).toBe(50);
    expect(r.summary.mc!.accuracy).toBe(100);
  });
});

describe("grammar-forced judge", () => {
  const MAX_REASON = 48;
  const Pairwise = z.object({ reason: z.string().max(MAX_REASON), winner: z.enum(["A", "B", "tie"]) }).strict();
  const Rubric = z.object({ reason: z.string().max(MAX_REASON), score: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]) }).strict();

  it("greedy and sampled verdicts always match the schema", async () => {
    const tasks = [
      { prompt: "Who is Lily?", a: "a little girl", b: "a big truck" },
      { prompt: "릴리는 누구인가요?", a: "작은 소녀", b: "큰 트럭" },
      { prompt: "What did the dog find?", a: "a bone", b: "" },
    ];
    let verdicts = 0;
    for (const [i, temperature] of [0, 1, 1.5].entries()) {
      const judge = await createLlamaJudge(model, { maxReasonChars: MAX_REASON, temperature, seed: 17 + i, contextSize: 1024, threads: THREADS });
      try {
        for (const t of tasks) {
          expect(Pairwise.safeParse(await judge.pairwise({ prompt: t.prompt, answerA: t.a, answerB: t.b })).success).toBe(true);
          const rubric = await judge.rubric({ prompt: t.prompt, answer: t.a, rubric: "names who it is", reference: t.a });
          expect(Rubric.safeParse(rubric).success).toBe(true);
          verdicts += 2;
        }
      } finally {
        await judge.dispose();
      }
    }
    expect(verdicts).toBe(18);
  });
});

describe("evaluateModel (localtune eval)", () => {
  it("runs the fixture suite and held-out perplexity, and writes eval.json atomically", async () => {
    const { evaluateModel } = await import("../src/eval/evaluate.js");
    const fs = await import("node:fs");
    const os = await import("node:os");
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lt-eval-")), "eval.json");
    const report = await evaluateModel({
      model: MODEL,
      suite: "test/fixtures/eval/stories-suite.jsonl",
      ppl: "test/fixtures/eval/held-out.txt",
      out,
      threads: THREADS,
      noJudge: true,
    });
    const written = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(written.summary).toEqual(report.summary);
    expect(fs.readdirSync(path.dirname(out))).toEqual(["eval.json"]);
    // the two Lily/there cloze items are what stories260K says greedily; "Pip" is made up (not in TinyStories)
    expect(report.items.filter((i) => i.kind === "cloze").map((i) => i.correct)).toEqual([true, true, false]);
    expect(report.skipped.map((s) => s.reason)).toEqual(["--no-judge was given", "--no-judge was given"]);
    // one window: BOS + every text token, each text token scored
    expect(report.perplexity!.tokens).toBe(model.tokenize(fs.readFileSync("test/fixtures/eval/held-out.txt", "utf8")).length);
    expect(report.versions.nodeLlamaCpp).toBe("3.21.1");
  });
});

describe("perplexity agrees with localtune's own engine", () => {
  it("node-llama-cpp's probabilities and the ggml engine give the same perplexity on the same windows", async () => {
    const { measurePerplexity } = await import("../src/engine/measure-perplexity.js");
    const fs = await import("node:fs");
    const os = await import("node:os");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lt-ppl-")), "text.txt");
    // three copies: several 128-token windows
    fs.writeFileSync(file, fs.readFileSync("test/fixtures/eval/held-out.txt", "utf8").repeat(3));
    const engine = await measurePerplexity({ model: MODEL, file, ctx: 128, threads: THREADS });
    const ours = await backend.scorer.perplexity(fs.readFileSync(file, "utf8").normalize("NFC"));
    expect(ours.tokens).toBe(engine.scoredTokens);
    expect(ours.perplexity).toBeCloseTo(engine.perplexity, 3);
  });
});
