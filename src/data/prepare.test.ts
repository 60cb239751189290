// End-to-end preparation without a model (estimated tokens): every input format, every bad input, planted
// near-duplicates, and leak-free document splits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDocx, makePdf } from "../../test/helpers/documents.js";
import { DataInputError, FileNotFoundError } from "../errors.js";
import { DatasetRecordSchema, type DatasetRecord } from "./schema.js";
import { prepareDataset, type PrepareResult } from "./prepare.js";
import { formatDatasetStats, readDatasetStats } from "./stats.js";
import { shingleHashes } from "./minhash.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-data-"));
const inputs = path.join(root, "in");
const LAW = path.resolve("test/fixtures/ko-law/labor_standards_근로기준법.md");
const CHATBOT = path.resolve("test/fixtures/data/chatbot-300.csv");

function readSplit(dir: string, split: string): DatasetRecord[] {
  return fs.readFileSync(path.join(dir, `${split}.jsonl`), "utf8").split("\n").filter(Boolean).map((l) => DatasetRecordSchema.parse(JSON.parse(l)));
}

const paragraph = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${topic}에 관한 ${i + 1}번째 문단입니다. 이 문단은 ${topic}의 세부 내용을 설명하며 다른 문서와 겹치지 않는 문장 ${i * 7 + topic.length}을 담고 있습니다.`).join("\n\n");

let result: PrepareResult;
let all: DatasetRecord[];

beforeAll(async () => {
  const w = (rel: string, data: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(inputs, rel)), { recursive: true });
    fs.writeFileSync(path.join(inputs, rel), data);
  };
  w("law/근로기준법.md", fs.readFileSync(LAW));
  w("notes/guide.md", `---\ntitle: 사내 휴가 안내\nowner: 인사팀\n---\n\n# 사내 휴가 안내\n\n## 신청 방법\n\n${paragraph("휴가 신청", 3)}\n`);
  w("notes/plain.txt", `Plain English notes.\n\n${"The annual leave policy grants fifteen days after one year of service. ".repeat(5)}`);
  w("notes/old-cp949.txt", iconv.encode(`옛 인코딩 문서\n\n${paragraph("옛 인코딩", 2)}`, "cp949"));
  w("notes/utf16.txt", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(paragraph("유니코드 십육", 2), "utf16le")]));
  w(
    "web/page.html",
    `<html><head><title>연차휴가 해설</title></head><body><nav><a href="/">홈</a> | <a href="/menu">메뉴 전체 보기</a></nav>
     <article><h1>연차휴가 해설</h1><h2>발생 요건</h2>${paragraph("연차 발생", 4).split("\n\n").map((p) => `<p>${p}</p>`).join("")}</article>
     <footer>Copyright 회사 푸터 문구 무단 전재 금지</footer></body></html>`,
  );
  w("docs/report.pdf", makePdf([["Quarterly report on leave usage."], ["휴가 사용 보고서 두 번째 쪽입니다."]]));
  w("docs/manual.docx", makeDocx([["Heading1", "업무 매뉴얼"], ["Heading2", "출장 규정"], ["", "출장 전에 신청서를 제출합니다."], ["", "출장비는 사후 정산합니다."]]));
  w(
    "sft/mixed.jsonl",
    [
      JSON.stringify({ instruction: "연차를 설명하세요.", input: "", output: "1년 80% 출근 시 15일입니다." }),
      JSON.stringify({ conversations: [{ from: "human", value: "안녕?" }, { from: "gpt", value: "안녕하세요! 무엇을 도와드릴까요?" }] }),
      "{not json",
      JSON.stringify({ messages: [{ role: "system", content: "짧게 답하세요." }, { role: "user", content: "주휴수당이란?" }, { role: "assistant", content: "1주 개근 시 받는 유급휴일 수당입니다." }] }),
      JSON.stringify({ foo: "bar" }),
      JSON.stringify({ prompt: "퇴직금 기준은?", completion: "1년 이상 근무 시 지급합니다." }),
    ].join("\n"),
  );
  w("sft/list.json", JSON.stringify({ data: [{ question: "야간근로 시간은?", answer: "오후 10시부터 오전 6시까지입니다." }] }));
  w("sft/chatbot.csv", fs.readFileSync(CHATBOT));
  // Bad inputs: binary, empty, unreadable PDF, unsupported extension, and a hidden file.
  w("bad/program.txt", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]));
  w("bad/empty.md", "");
  w("bad/broken.pdf", "%PDF-1.4\nthis is not really a pdf\n");
  w("bad/scan.pdf", makePdf([[]]));
  w("bad/image.png", Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  w(".hidden/secret.txt", "hidden");
  // Planted near-duplicates: a document copied with one word changed, and an exact copy.
  const original = paragraph("근로계약 체결", 6);
  w("dup/original.txt", original);
  w("dup/near-copy.txt", original.replace("3번째", "삼번째"));
  w("dup/exact-copy.txt", `${original}\n`);
  // The same notice section, one word changed, in eight otherwise different documents: chunk-level near-duplicates
  // that end up in different splits.
  const notice = paragraph("면책 조항 안내", 2);
  for (let i = 0; i < 8; i++) w(`shared/doc${i}.md`, `# 문서 ${i}\n\n## 본문\n\n${paragraph(`주제${i}번`, 3)}\n\n## 면책 조항\n\n${notice.replace("1번째", `1번째(${i})`)}\n`);
  result = await prepareDataset({ inputs: [inputs], out: path.join(root, "ds"), maxTokens: 200, overlapTokens: 30, valRatio: 0.2, testRatio: 0.2 });
  all = ["train", "val", "test"].flatMap((s) => readSplit(result.outDir, s));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("prepareDataset", () => {
  it("reads every format", () => {
    const bySource = (s: string) => result.manifest.sources.find((x) => x.path === s)!;
    expect(bySource("notes/old-cp949.txt").encoding).toBe("cp949");
    expect(bySource("notes/utf16.txt").encoding).toBe("utf-16le");
    expect(bySource("notes/guide.md").frontMatter).toEqual({ title: "사내 휴가 안내", owner: "인사팀" });
    expect(bySource("sft/mixed.jsonl").shapes.sort()).toEqual(["alpaca", "openai", "prompt-completion", "sharegpt"]);
    expect(bySource("sft/chatbot.csv")).toMatchObject({ shapes: ["question-answer"], unusedFields: ["label"], chatSamples: 300 });
    expect(bySource("law/근로기준법.md").sha256).toMatch(/^[0-9a-f]{64}$/);
    const text = (source: string) => all.filter((r) => r.source === source && r.kind === "text").map((r) => (r as { text: string }).text).join("\n");
    expect(text("notes/old-cp949.txt")).toContain("옛 인코딩에 관한 1번째 문단입니다.");
    expect(text("notes/utf16.txt")).toContain("유니코드 십육에 관한 2번째 문단입니다.");
    expect(text("docs/report.pdf")).toBe("Quarterly report on leave usage.\n\n휴가 사용 보고서 두 번째 쪽입니다.");
    const docx = all.filter((r) => r.source === "docs/manual.docx");
    expect(docx.map((r) => r.kind === "text" && r.citation)).toEqual(["업무 매뉴얼 › 출장 규정"]);
    expect(text("docs/manual.docx")).toBe("출장 규정\n\n출장 전에 신청서를 제출합니다.\n\n출장비는 사후 정산합니다.");
    const html = text("web/page.html");
    expect(html).toContain("연차 발생에 관한 4번째 문단입니다.");
    expect(html).not.toMatch(/메뉴 전체 보기|푸터/);
    const guide = all.find((r) => r.source === "notes/guide.md");
    expect(guide).toMatchObject({ citation: "사내 휴가 안내 › 신청 방법", metadata: { owner: "인사팀" } });
    const chat = all.filter((r) => r.kind === "chat" && r.source === "sft/mixed.jsonl");
    expect(chat).toHaveLength(4);
    expect(all.find((r) => r.kind === "chat" && r.source === "sft/list.json")).toMatchObject({ messages: [{ role: "user", content: "야간근로 시간은?" }, { role: "assistant" }] });
  });

  it("lists every skipped file and line with its reason", () => {
    const skip = (source: string) => result.manifest.skipped.find((s) => s.source === source);
    expect(skip("bad/program.txt")?.reason).toBe("binary");
    expect(skip("bad/empty.md")?.reason).toBe("empty");
    expect(skip("bad/broken.pdf")?.reason).toBe("unreadable");
    expect(skip("bad/scan.pdf")).toMatchObject({ reason: "no-text", message: expect.stringMatching(/OCR/) });
    expect(skip("bad/image.png")?.reason).toBe("unsupported");
    expect(skip(".hidden")?.reason).toBe("hidden");
    expect(result.manifest.skipped.filter((s) => s.source === "sft/mixed.jsonl")).toEqual([
      expect.objectContaining({ line: 3, reason: "invalid-json" }),
      expect.objectContaining({ line: 5, reason: "invalid-record", message: expect.stringMatching(/no known shape/) }),
    ]);
  });

  it("removes planted exact and near-duplicate documents and says why", () => {
    const removed = result.manifest.removed.filter((r) => r.level === "document");
    expect(removed).toEqual(
      expect.arrayContaining([
        // Inputs are read in sorted order, so exact-copy.txt is the first of the three and is the one kept.
        expect.objectContaining({ kind: "exact", source: "dup/original.txt", duplicateOf: "dup/exact-copy.txt" }),
        expect.objectContaining({ kind: "near", source: "dup/near-copy.txt", duplicateOf: "dup/exact-copy.txt", jaccard: expect.closeTo(0.93, 1) }),
      ]),
    );
    expect(all.filter((r) => r.source.startsWith("dup/")).map((r) => r.source)).toEqual(expect.arrayContaining(["dup/exact-copy.txt"]));
    expect(new Set(all.filter((r) => r.source.startsWith("dup/")).map((r) => r.source))).toEqual(new Set(["dup/exact-copy.txt"]));
    expect(result.stats.documents).toMatchObject({ exactDuplicates: 1, nearDuplicates: 1 });
  });

  it("splits by document, with no near-duplicate across splits", () => {
    const splitOf = new Map<string, Set<string>>();
    for (const split of ["train", "val", "test"]) for (const r of readSplit(result.outDir, split)) (splitOf.get(r.docId) ?? splitOf.set(r.docId, new Set()).get(r.docId)!).add(split);
    expect([...splitOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(result.stats.splits.val.documents).toBeGreaterThan(0);
    expect(result.stats.splits.test.documents).toBeGreaterThan(0);
    const textOf = (r: DatasetRecord) => (r.kind === "text" ? r.text : r.messages.map((m) => m.content).join("\n"));
    const train = readSplit(result.outDir, "train").map((r) => new Set(shingleHashes(textOf(r))));
    let worst = 0;
    for (const split of ["val", "test"]) {
      for (const r of readSplit(result.outDir, split)) {
        const sh = new Set(shingleHashes(textOf(r)));
        for (const t of train) {
          let inter = 0;
          for (const x of sh) if (t.has(x)) inter++;
          worst = Math.max(worst, inter / (sh.size + t.size - inter));
        }
      }
    }
    // The signature estimate decides for long texts (error about ±0.07 at J = 0.8), so allow a margin over 0.8.
    expect(worst).toBeLessThan(0.9);
    // The planted notice survives once; copies were removed, those in val/test as cross-split leaks of a train copy.
    const notices = all.filter((r) => r.kind === "text" && r.source.startsWith("shared/") && r.headingPath.includes("면책 조항"));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.docId && readSplit(result.outDir, "train").some((r) => r.id === notices[0]!.id)).toBe(true);
    const cross = result.manifest.removed.filter((r) => r.kind === "cross-split");
    expect(cross.length).toBeGreaterThan(0);
    for (const r of cross) expect(r.split === "val" || r.split === "test").toBe(true);
    expect(result.stats.chunks.crossSplit).toBe(cross.length);
  });

  it("chunks the statute at article headings, each chunk with its citation", () => {
    const law = all.filter((r): r is Extract<DatasetRecord, { kind: "text" }> => r.kind === "text" && r.source === "law/근로기준법.md");
    expect(law.length).toBeGreaterThan(150);
    const byId = new Map(law.map((r) => [r.id, r]));
    for (const r of law) {
      const article = r.headingPath[r.headingPath.length - 1]!;
      if (/^제\d+조/.test(article)) expect(r.citation).toBe(`근로기준법 ${r.headingPath.filter((h) => !/^제\d+장/.test(h) && h !== "부칙").join(" ")}`);
      // A chunk either starts with its heading or continues the previous chunk of the same section.
      if (!r.text.startsWith(article)) {
        const prev = byId.get(`${r.docId}#${Number(r.id.split("#")[1]) - 1}`);
        if (prev) expect(prev.headingPath).toEqual(r.headingPath);
      }
      expect(r.tokens).toBeLessThanOrEqual(200);
    }
    expect(law.find((r) => r.citation === "근로기준법 제60조(연차 유급휴가)")?.text.startsWith("제60조(연차 유급휴가)\n\n**①** 사용자는 1년간 80퍼센트 이상 출근한")).toBe(true);
  });

  it("writes stats that say the tokens are estimated, in English and Korean", () => {
    const summary = readDatasetStats(result.outDir);
    expect(summary.stats.tokenizer.kind).toBe("estimate");
    const en = formatDatasetStats(summary, "en");
    const ko = formatDatasetStats(summary, "ko");
    expect(en).toMatch(/estimated: no --model/);
    expect(ko).toMatch(/추정치/);
    expect(ko).toMatch(/데이터가 충분한가요\?/);
    expect(ko).toMatch(/\[충분\] rag/);
    expect(summary.stats.guidance.find((g) => g.method === "LoRA (instruction tuning)")?.verdict).toBe("minimal");
    expect(fs.existsSync(path.join(result.outDir, "cache"))).toBe(false);
  });
});

describe("bad input", () => {
  it("fails on a missing path, an existing --out, and a bad line under --strict, leaving no half-written folder", async () => {
    await expect(prepareDataset({ inputs: [path.join(root, "nope")], out: path.join(root, "x") })).rejects.toThrow(FileNotFoundError);
    await expect(prepareDataset({ inputs: [path.join(inputs, "notes")], out: result.outDir })).rejects.toThrow(/already exists/);
    const strictOut = path.join(root, "strict");
    const error = await prepareDataset({ inputs: [path.join(inputs, "sft/mixed.jsonl")], out: strictOut, strict: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataInputError);
    expect(error).toMatchObject({ line: 3, reason: "invalid-json" });
    expect(fs.existsSync(strictOut)).toBe(false);
    expect(fs.readdirSync(root).filter((f) => f.includes(".tmp-"))).toEqual([]);
    await expect(prepareDataset({ inputs: [path.join(inputs, "bad/program.txt")], out: path.join(root, "b2") })).resolves.toMatchObject({ manifest: { skipped: [expect.objectContaining({ reason: "binary" })] } });
  });
});
