// Checks the Maple Hill corpus (corpus/maple-hill): sizes, determinism of the generated train split, that every
// evaluation answer is a fact stated in training text, and that no evaluation item or held-out story leaks verbatim.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { trainStories } from "../corpus/maple-hill/stories.js";
import { FACTS } from "../corpus/maple-hill/world.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "corpus", "maple-hill");
const read = (name: string): string => readFileSync(path.join(dir, name), "utf8");

const trainText = read("train.txt");
const heldoutText = read("heldout.txt");
const evalText = read("eval.jsonl");

/** Stories are paragraphs separated by one blank line. */
const stories = (text: string): string[] => text.trimEnd().split("\n\n");

/** Sentences end at . ! or ? (a closing quote stays with its sentence). */
const sentences = (story: string): string[] => story.split(/(?<=[.!?]"?)\s+/).filter((s) => s.length > 0);

/** Lower case with runs of whitespace made one space, so line breaks cannot hide a verbatim match. */
const norm = (s: string): string => s.toLowerCase().replace(/\s+/g, " ").trim();

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const hasWord = (sentence: string, phrase: string): boolean =>
  new RegExp(`(^|[^a-z])${escapeRegExp(phrase.toLowerCase())}($|[^a-z])`).test(sentence.toLowerCase());

interface Cloze {
  kind: "cloze";
  id: string;
  prompt: string;
  answer: string;
  keys: string[];
}
interface Qa {
  kind: "qa";
  id: string;
  question: string;
  answers: string[];
  keys: string[];
}
type Item = Cloze | Qa;

const items: Item[] = evalText
  .trimEnd()
  .split("\n")
  .map((line) => JSON.parse(line) as Item);
const cloze = items.filter((i): i is Cloze => i.kind === "cloze");
const qa = items.filter((i): i is Qa => i.kind === "qa");
const trainSentences = stories(trainText).flatMap(sentences);

/** A training sentence that holds every key and the answer, or undefined. */
function evidence(keys: readonly string[], answer: string): string | undefined {
  return trainSentences.find((s) => keys.every((k) => s.toLowerCase().includes(k.toLowerCase())) && hasWord(s, answer));
}

describe("Maple Hill corpus files", () => {
  it("train.txt is exactly what the seeded generator writes", () => {
    expect(trainText).toBe(trainStories().join("\n\n") + "\n");
  });

  it("states every phrasing of every world fact in train, at least once", () => {
    const missing = Object.entries(FACTS).flatMap(([key, phrasings]) =>
      phrasings.filter((p) => !trainText.includes(p)).map((p) => `${key}: ${p}`),
    );
    expect(missing).toEqual([]);
  });

  it("has the sizes the training and perplexity tests plan for", () => {
    const trainBytes = Buffer.byteLength(trainText);
    const heldoutBytes = Buffer.byteLength(heldoutText);
    expect(trainBytes).toBeGreaterThanOrEqual(60_000);
    expect(trainBytes).toBeLessThanOrEqual(100_000);
    expect(heldoutBytes).toBeGreaterThanOrEqual(8_000);
    expect(heldoutBytes).toBeLessThanOrEqual(15_000);
    const train = stories(trainText);
    expect(train.length).toBeGreaterThanOrEqual(150);
    expect(train.length).toBeLessThanOrEqual(250);
    expect(stories(heldoutText).length).toBeGreaterThanOrEqual(25);
    // Short stories: a quoted "Achoo!" counts as a sentence here, hence the upper bound above eight.
    for (const story of [...train, ...stories(heldoutText)]) {
      const n = sentences(story).length;
      expect(n, story).toBeGreaterThanOrEqual(4);
      expect(n, story).toBeLessThanOrEqual(12);
    }
  });

  it("holds only printable ASCII and newlines, one story per paragraph", () => {
    for (const [name, text] of [["train.txt", trainText], ["heldout.txt", heldoutText], ["eval.jsonl", evalText]] as const) {
      const bad = [...text].findIndex((c) => c !== "\n" && (c < " " || c > "~"));
      expect(bad, `${name} has a character outside printable ASCII at ${bad}`).toBe(-1);
    }
    for (const text of [trainText, heldoutText]) {
      expect(text.endsWith("\n") && !text.endsWith("\n\n")).toBe(true);
      for (const story of stories(text)) expect(story).toMatch(/^[^\n]+$/);
    }
  });

  it("has no repeated training story, and no held-out story or most of one in train", () => {
    const train = stories(trainText);
    expect(new Set(train).size).toBe(train.length);
    const trainNorm = norm(trainText);
    const trainSet = new Set(trainSentences.map(norm));
    const heldout = stories(heldoutText);
    for (const story of heldout) expect(trainNorm.includes(norm(story)), story).toBe(false);
    // Short lines of dialogue ("said Bo.") may repeat; longer held-out sentences must be new text.
    const long = heldout.flatMap(sentences).filter((s) => s.length >= 30);
    const copied = long.filter((s) => trainSet.has(norm(s)));
    expect(copied).toEqual([]);
  });
});

describe("Maple Hill evaluation items", () => {
  it("are well formed: unique ids, short answers, enough of each kind", () => {
    expect(cloze.length).toBeGreaterThanOrEqual(80);
    expect(qa.length).toBeGreaterThanOrEqual(20);
    expect(items.length).toBe(cloze.length + qa.length);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const item of cloze) {
      expect(item.prompt.length).toBeGreaterThan(0);
      const words = item.answer.split(" ").length;
      expect(words, item.id).toBeGreaterThanOrEqual(1);
      expect(words, item.id).toBeLessThanOrEqual(3);
      expect(item.prompt, item.id).not.toMatch(/\s$/);
    }
    for (const item of qa) {
      expect(item.question.endsWith("?"), item.id).toBe(true);
      expect(item.answers.length, item.id).toBeGreaterThan(0);
    }
  });

  it("name key words that the prompt or question really contains", () => {
    for (const item of items) {
      const text = (item.kind === "cloze" ? item.prompt : item.question).toLowerCase();
      expect(item.keys.length, item.id).toBeGreaterThan(0);
      for (const key of item.keys) expect(text.includes(key.toLowerCase()), `${item.id}: ${key}`).toBe(true);
    }
  });

  it("ask only facts that a training sentence states (keys and answer in one sentence)", () => {
    const unstated = [
      ...cloze.filter((i) => evidence(i.keys, i.answer) === undefined).map((i) => i.id),
      ...qa.filter((i) => evidence(i.keys, i.answers[0]!) === undefined).map((i) => i.id),
    ];
    expect(unstated).toEqual([]);
  });

  it("are not copied: no prompt + answer appears verbatim in train or held-out text", () => {
    const texts = [norm(trainText), norm(heldoutText)];
    const leaked = cloze.filter((i) => texts.some((t) => t.includes(norm(`${i.prompt} ${i.answer}`)))).map((i) => i.id);
    expect(leaked).toEqual([]);
  });

  it("the evidence check itself rejects a fact the corpus does not state", () => {
    // Pip is green: a blue Pip, or a Mira whose hat is yellow, must find no supporting sentence.
    expect(evidence(["Pip", "dragon"], "blue")).toBeUndefined();
    expect(evidence(["Mira", "hat"], "yellow")).toBeUndefined();
    expect(evidence(["Mira", "hat"], "red")).toBeDefined();
  });
});
