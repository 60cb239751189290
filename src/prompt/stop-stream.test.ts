// StopStream with a toy vocabulary: token i is PIECES[i]; tokens 90 and 91 are the two bytes of "é" (alone, 90 shows
// as U+FFFD, like an incomplete UTF-8 sequence in a real detokenizer).
import { describe, expect, it } from "vitest";
import { StopStream } from "./stop-stream.js";

const PIECES: Record<number, string> = { 1: " there", 2: " was", 3: " a", 4: " little", 5: " girl", 6: " named", 7: " Lily", 8: ".", 9: " She", 10: "\n", 11: "User", 12: ":" };
function detokenize(tokens: readonly number[]): string {
  let out = "";
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === 90) out += tokens[i + 1] === 91 ? "é" : "\uFFFD";
    else if (tokens[i] !== 91) out += PIECES[tokens[i]!] ?? "?";
  }
  return out;
}

function run(tokens: number[], options: { stopStrings?: string[]; stopTokens?: number[][] }) {
  const chunks: string[] = [];
  const stream = new StopStream({ detokenize, ...options, onText: (c) => chunks.push(c) });
  let stoppedAt: number | undefined;
  for (let i = 0; i < tokens.length; i++) {
    if (stream.push(tokens[i]!)) {
      stoppedAt = i;
      break;
    }
  }
  return { ...stream.finish(), chunks, stoppedAt };
}

describe("StopStream", () => {
  it("streams every token's text when there are no stops, and the chunks join to the text", () => {
    const r = run([1, 2, 3, 4, 5], {});
    expect(r.text).toBe(" there was a little girl");
    expect(r.chunks).toEqual([" there", " was", " a", " little", " girl"]);
  });

  it("a stop inside a token cuts before that token (' Lily' goes with 'Lily')", () => {
    const r = run([1, 2, 3, 4, 5, 6, 7, 8, 9], { stopStrings: ["Lily"] });
    expect(r.stoppedAt).toBe(6);
    expect(r.text).toBe(" there was a little girl named");
    expect(r.tokens).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.chunks.join("")).toBe(r.text);
  });

  it("holds back text that may be the start of a stop spanning tokens, then drops it when the stop completes", () => {
    const chunks: string[] = [];
    const stream = new StopStream({ detokenize, stopStrings: ["\nUser:"], onText: (c) => chunks.push(c) });
    expect(stream.push(7)).toBe(false);
    expect(stream.push(10)).toBe(false);
    expect(chunks.join("")).toBe(" Lily"); // "\n" may start "\nUser:"
    expect(stream.push(11)).toBe(false);
    expect(chunks.join("")).toBe(" Lily");
    expect(stream.push(12)).toBe(true);
    expect(stream.finish().text).toBe(" Lily");
    expect(chunks.join("")).toBe(" Lily");
  });

  it("releases held text once it can no longer start a stop", () => {
    const r = run([7, 10, 9], { stopStrings: ["\nUser:"] });
    expect(r.stoppedAt).toBeUndefined();
    expect(r.chunks).toEqual([" Lily", "\n She"]);
    expect(r.text).toBe(" Lily\n She");
  });

  it("never streams half a UTF-8 character", () => {
    const r = run([1, 90, 91, 2], {});
    expect(r.chunks).toEqual([" there", "é", " was"]);
    expect(r.chunks.join("")).not.toContain("\uFFFD");
  });

  it("stop token sequences match in the tokens and cut before their first token", () => {
    const r = run([1, 2, 11, 12, 3], { stopTokens: [[11, 12]] });
    expect(r.stoppedAt).toBe(3);
    expect(r.text).toBe(" there was");
    expect(r.chunks.join("")).toBe(" there was");
  });

  it("the earliest of several stops wins", () => {
    const r = run([1, 2, 3, 4, 5, 6, 7], { stopStrings: ["girl", "was"] });
    expect(r.text).toBe(" there");
  });
});
