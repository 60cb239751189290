import { describe, expect, it } from "vitest";
import { detectLang, msg } from "./index.js";

describe("i18n", () => {
  it("detects Korean from the locale and prefers LOCALTUNE_LANG", () => {
    expect(detectLang({ LANG: "ko_KR.UTF-8" })).toBe("ko");
    expect(detectLang({ LANG: "en_US.UTF-8" })).toBe("en");
    expect(detectLang({ LANG: "ko_KR.UTF-8", LOCALTUNE_LANG: "en" })).toBe("en");
  });
  it("fills placeholders in the chosen language and leaves unknown ones", () => {
    const m = { en: "{n} files, {x}", ko: "파일 {n}개, {x}" };
    expect(msg(m, { n: 3 }, "ko")).toBe("파일 3개, {x}");
    expect(msg(m, { n: 3 }, "en")).toBe("3 files, {x}");
  });
});
