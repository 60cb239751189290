// Instruction-data shapes recognised from single records.
import { describe, expect, it } from "vitest";
import { interpretRecord } from "./readers/instruct.js";

const qa = [
  { role: "user", content: "연차는 며칠인가요?" },
  { role: "assistant", content: "15일입니다." },
];

describe("interpretRecord", () => {
  it.each([
    ["openai", { messages: [{ role: "user", content: "연차는 며칠인가요?" }, { role: "assistant", content: [{ type: "text", text: "15일입니다." }] }] }],
    ["sharegpt", { conversations: [{ from: "human", value: "연차는 며칠인가요?" }, { from: "gpt", value: "15일입니다." }] }],
    ["question-answer", { Q: "연차는 며칠인가요?", A: "15일입니다.", label: 0 }],
    ["question-answer", { question: "연차는 며칠인가요?", answer: "15일입니다." }],
    ["prompt-completion", { prompt: "연차는 며칠인가요?", completion: "15일입니다." }],
  ])("%s", (shape, record) => {
    expect(interpretRecord(record)).toMatchObject({ shape, messages: qa });
  });
  it("alpaca joins instruction and input, and keeps a system prompt", () => {
    expect(interpretRecord({ instruction: "요약하세요.", input: "긴 글", output: "짧은 글", system: "간결하게." })).toMatchObject({
      shape: "alpaca",
      messages: [
        { role: "system", content: "간결하게." },
        { role: "user", content: "요약하세요.\n\n긴 글" },
        { role: "assistant", content: "짧은 글" },
      ],
    });
  });
  it("takes explicit CSV column names over the aliases", () => {
    expect(interpretRecord({ 질문내용: "Q?", 답: "A.", Q: "x" }, { prompt: "질문내용", response: "답" })).toMatchObject({ messages: [{ content: "Q?" }, { content: "A." }] });
  });
  it("recognises raw text records and reports unknown shapes and bad turns", () => {
    expect(interpretRecord({ text: "본문" })).toEqual({ shape: "text", text: "본문", used: ["text"] });
    expect(interpretRecord({ foo: 1 })).toHaveProperty("error", expect.stringMatching(/no known shape among fields \[foo\]/));
    expect(interpretRecord({ question: "Q?", answer: "" })).toHaveProperty("error", "no non-empty assistant (answer) turn");
    expect(interpretRecord({ messages: [{ role: "tool", content: "x" }] })).toHaveProperty("error", expect.stringMatching(/role "tool"/));
    expect(interpretRecord([1, 2])).toHaveProperty("error", "expected a JSON object");
  });
});
