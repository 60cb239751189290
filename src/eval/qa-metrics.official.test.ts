// Agreement with the official scripts: test/fixtures/eval/official-qa-scores.json holds the outputs of the SQuAD
// v1.1 and KorQuAD v1.0 metric functions run by Python 3.11 on 60 tricky cases (provenance in its README).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { korquadNormalize, qaScore, squadNormalize } from "./qa-metrics.js";

interface OfficialCase {
  prediction: string;
  truths: string[];
  squad: { normalized: string; exactMatch: number; f1: number };
  korquad: { normalized: string; exactMatch: number; f1: number };
}

const { cases } = JSON.parse(fs.readFileSync(path.resolve("test/fixtures/eval/official-qa-scores.json"), "utf8")) as { cases: OfficialCase[] };

describe("scores equal the official scripts' outputs", () => {
  it("has the whole case set", () => expect(cases).toHaveLength(60));

  it.each(cases.map((c) => [JSON.stringify(c.prediction), JSON.stringify(c.truths), c] as const))("%s vs %s", (_p, _t, c) => {
    expect(squadNormalize(c.prediction)).toBe(c.squad.normalized);
    expect(korquadNormalize(c.prediction)).toBe(c.korquad.normalized);
    const squad = qaScore(c.prediction, c.truths, "squad");
    expect(squad.exactMatch).toBe(c.squad.exactMatch);
    expect(squad.f1).toBeCloseTo(c.squad.f1, 12);
    const korquad = qaScore(c.prediction, c.truths, "korquad");
    expect(korquad.exactMatch).toBe(c.korquad.exactMatch);
    expect(korquad.f1).toBeCloseTo(c.korquad.f1, 12);
  });
});
