// What a run was started on, so that `train resume` continues on the same files or refuses: the absolute path of the
// model and of every data path, each with its size and a fast content hash (sha256 of the size, the first and the
// last MiB of every file; a folder hashes its files' relative paths and hashes in name order). Reading 2 MiB per
// file keeps this instant on multi-GB models; an edit in the middle of a file of the same size is not seen.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { InvalidConfigError, RunInputsChangedError } from "../errors.js";
import type { TrainConfig } from "./config.js";

export const RUN_INPUTS_FILE = "inputs.json";

const EDGE_BYTES = 1 << 20;

export interface InputFingerprint {
  /** Absolute path as recorded at the start. */
  path: string;
  kind: "file" | "folder";
  /** Bytes (a folder: of all its files). */
  size: number;
  /** Files in a folder (1 for a file). */
  files: number;
  hash: string;
}

export interface RunInputs {
  model: InputFingerprint;
  data: InputFingerprint[];
  valData: InputFingerprint[];
}

/** The config with the model and data paths made absolute (from the current folder), as config.json records them. */
export function absoluteInputs(config: TrainConfig): TrainConfig {
  return { ...config, model: path.resolve(config.model), data: config.data.map((p) => path.resolve(p)), valData: config.valData.map((p) => path.resolve(p)) };
}

/** Fingerprints of the config's (absolute) inputs. */
export function fingerprintInputs(config: TrainConfig): RunInputs {
  return { model: fingerprint(config.model), data: config.data.map(fingerprint), valData: config.valData.map(fingerprint) };
}

/**
 * Checks that the inputs recorded in `runDir` are unchanged, else a RunInputsChangedError listing each change. A run
 * from before this record is checked for absolute paths (a relative one would be read from wherever resume runs)
 * and recorded now.
 */
export function checkRunInputs(runDir: string, config: TrainConfig): { recordedNow: boolean } {
  const file = path.join(runDir, RUN_INPUTS_FILE);
  if (!fs.existsSync(file)) {
    const relative = [config.model, ...config.data, ...config.valData].filter((p) => !path.isAbsolute(p));
    if (relative.length > 0) {
      throw new InvalidConfigError({
        en: `the run ${runDir} records relative input paths (${relative.join(", ")}), which resume would read from the current folder, not the one the run started in. Edit ${path.join(runDir, "config.json")} to give their absolute paths, then resume.`,
        ko: `실행 ${runDir}에 상대 경로 입력(${relative.join(", ")})이 기록되어 있어, 이어서 하면 실행을 시작한 폴더가 아니라 현재 폴더에서 읽게 됩니다. ${path.join(runDir, "config.json")}에서 절대 경로로 고친 뒤 이어서 하세요.`,
      });
    }
    fs.writeFileSync(file, JSON.stringify(fingerprintInputs(config), null, 2) + "\n");
    return { recordedNow: true };
  }
  const recorded = JSON.parse(fs.readFileSync(file, "utf8")) as RunInputs;
  const changes: { en: string; ko: string }[] = [];
  const compare = (label: string, labelKo: string, was: InputFingerprint | undefined, nowPath: string | undefined) => {
    if (!was || !nowPath) {
      changes.push({ en: `${label}: the config lists ${nowPath ?? "nothing"}, the record ${was?.path ?? "nothing"}`, ko: `${labelKo}: 설정에는 ${nowPath ?? "없음"}, 기록에는 ${was?.path ?? "없음"}` });
      return;
    }
    if (!fs.existsSync(nowPath)) {
      changes.push({ en: `${label} ${nowPath} no longer exists`, ko: `${labelKo} ${nowPath}이(가) 더 이상 없습니다` });
      return;
    }
    const now = fingerprint(nowPath);
    if (now.path !== was.path) changes.push({ en: `${label} path was ${was.path}, is now ${now.path}`, ko: `${labelKo} 경로가 ${was.path}에서 ${now.path}(으)로 바뀌었습니다` });
    else if (now.size !== was.size || now.files !== was.files || now.hash !== was.hash) {
      const what = now.size !== was.size ? `${was.size} -> ${now.size} bytes` : now.files !== was.files ? `${was.files} -> ${now.files} files` : "same size, other content";
      changes.push({ en: `${label} ${now.path} changed (${what})`, ko: `${labelKo} ${now.path}이(가) 바뀌었습니다 (${what})` });
    }
  };
  compare("model", "모델", recorded.model, config.model);
  const lists = [["data", "데이터", recorded.data, config.data], ["validation data", "검증 데이터", recorded.valData, config.valData]] as const;
  for (const [label, labelKo, was, now] of lists) {
    for (let i = 0; i < Math.max(was.length, now.length); i++) compare(label, labelKo, was[i], now[i]);
  }
  if (changes.length > 0) throw new RunInputsChangedError(runDir, changes);
  return { recordedNow: false };
}

/** Size and fast hash of a file, or of a folder's regular files (hidden names skipped, as readers skip them). */
export function fingerprint(p: string): InputFingerprint {
  const abs = path.resolve(p);
  const stat = fs.statSync(abs);
  if (!stat.isDirectory()) return { path: abs, kind: "file", size: stat.size, files: 1, hash: fileHash(abs, stat.size) };
  const hash = crypto.createHash("sha256");
  let size = 0;
  let files = 0;
  // An explicit stack, name order; links to folders are not followed (no cycles).
  const stack: string[] = [abs];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith(".")).sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile() || (entry.isSymbolicLink() && isFile(full))) {
        const fileSize = fs.statSync(full).size;
        hash.update(path.relative(abs, full)).update("\0").update(fileHash(full, fileSize)).update("\0");
        size += fileSize;
        files++;
      }
    }
  }
  return { path: abs, kind: "folder", size, files, hash: hash.digest("hex") };
}

function fileHash(file: string, size: number): string {
  const hash = crypto.createHash("sha256").update(String(size)).update("\0");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(Math.min(EDGE_BYTES, size));
    hash.update(buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)));
    if (size > EDGE_BYTES) hash.update(buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, Math.max(EDGE_BYTES, size - EDGE_BYTES))));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
