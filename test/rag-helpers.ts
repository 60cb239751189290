// Shared by the RAG tests: the statute fixtures and a fresh temporary folder per test file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const FIXTURES = path.resolve("test/fixtures");
export const LAW_DIR = path.join(FIXTURES, "ko-law");
/** The four statute files (not the READMEs). */
export const LAW_FILES = fs
  .readdirSync(LAW_DIR)
  .filter((f) => f.endsWith(".md") && !f.startsWith("README"))
  .sort()
  .map((f) => path.join(LAW_DIR, f));
export const QA_FILE = path.join(FIXTURES, "ko-law-qa.jsonl");
export const QA_HELDOUT_FILE = path.join(FIXTURES, "ko-law-qa-heldout.jsonl");
export const STORIES = path.resolve("models/stories260K.gguf");

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `localtune-${prefix}-`));
}

/** Short statute-like articles (abridged from the fixtures) for tests that embed with stories260K. */
export const SHORT_DOCS = [
  "# 근로기준법\n\n##### 제60조 (연차 유급휴가)\n\n사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.\n",
  "# 근로기준법\n\n##### 제26조 (해고의 예고)\n\n사용자는 근로자를 해고하려면 적어도 30일 전에 예고를 하여야 한다.\n",
  "# 주택임대차보호법\n\n##### 제4조 (임대차기간 등)\n\n기간을 정하지 아니하거나 2년 미만으로 정한 임대차는 그 기간을 2년으로 본다.\n",
  "# 주택임대차보호법\n\n##### 제8조 (보증금 중 일정액의 보호)\n\n임차인은 보증금 중 일정액을 다른 담보물권자보다 우선하여 변제받을 권리가 있다.\n",
  "# 대한민국헌법\n\n##### 제70조\n\n대통령의 임기는 5년으로 하며, 중임할 수 없다.\n",
];
