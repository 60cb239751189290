import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { setLang } from "../i18n/index.js";
import { helpInLanguage, localizeHelp } from "./help-language.js";

describe("helpInLanguage", () => {
  it("splits 'English / 한국어' at the slash before the Korean half", () => {
    const text = "comma-separated rungs or method names (default: all) / 실행할 단계 (쉼표로 구분, 기본: 전부)";
    expect(helpInLanguage(text, "en")).toBe("comma-separated rungs or method names (default: all)");
    expect(helpInLanguage(text, "ko")).toBe("실행할 단계 (쉼표로 구분, 기본: 전부)");
  });
  it("keeps slashes inside the English half ('prompt/prefix tuning / 프롬프트·프리픽스 튜닝')", () => {
    expect(helpInLanguage("prompt/prefix tuning, r=2 / 8 / 프롬프트·프리픽스 튜닝", "en")).toBe("prompt/prefix tuning, r=2 / 8");
  });
  it("picks the lines of one language from a two-line description", () => {
    const text = "Adapt an open-weight LLM to your own domain on your own PC.\n내 PC에서 오픈 가중치 LLM을 내 분야에 맞게 조정합니다.";
    expect(helpInLanguage(text, "en")).toBe("Adapt an open-weight LLM to your own domain on your own PC.");
    expect(helpInLanguage(text, "ko")).toBe("내 PC에서 오픈 가중치 LLM을 내 분야에 맞게 조정합니다.");
  });
  it("leaves one-language text alone", () => {
    expect(helpInLanguage("run folder to create", "ko")).toBe("run folder to create");
    expect(helpInLanguage("학습 폴더", "en")).toBe("학습 폴더");
  });
});

describe("localizeHelp", () => {
  it("shows an argument's description in the chosen language too", () => {
    const program = new Command("localtune");
    program.command("prepare").argument("<inputs...>", "files and folders / 파일과 폴더");
    localizeHelp(program);
    const help = () => program.commands[0]!.helpInformation().replace(/\s+/g, " ");
    setLang("ko");
    expect(help()).toContain("inputs 파일과 폴더");
    expect(help()).not.toContain("files and folders");
    setLang("en");
    expect(help()).toContain("inputs files and folders");
    expect(help()).not.toContain("파일과 폴더");
  });
});
