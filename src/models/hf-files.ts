// The files of a Hugging Face model folder that an import reads, each parsed once with an error that names it:
// config.json and tokenizer.json are required, tokenizer_config.json and the chat-template files are optional.
import fs from "node:fs";
import path from "node:path";
import { FileNotFoundError, HfModelError } from "../errors.js";

/** A parsed JSON object (the top level of every file an import reads is one). */
export type JsonObject = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The folder exists and is a folder; a file given by mistake gets its own message. */
export function checkModelFolder(folder: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new FileNotFoundError(folder, "Hugging Face model folder");
  }
  if (!stat.isDirectory()) {
    throw new HfModelError(folder, {
      en: "not a folder. Give the folder that holds config.json, the *.safetensors files and tokenizer.json (as downloaded from the Hugging Face Hub)",
      ko: "폴더가 아닙니다. config.json, *.safetensors 파일과 tokenizer.json이 든 폴더(Hugging Face Hub에서 받은 그대로)를 주세요",
    });
  }
}

/** Reads `name` from the folder as a JSON object; undefined when absent and `optional`. */
export function readJsonFile(folder: string, name: string, what: string, optional: true): JsonObject | undefined;
export function readJsonFile(folder: string, name: string, what: string, optional?: false): JsonObject;
export function readJsonFile(folder: string, name: string, what: string, optional = false): JsonObject | undefined {
  const file = path.join(folder, name);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      if (optional) return undefined;
      throw new FileNotFoundError(file, what);
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HfModelError(folder, { en: `${name} is not valid JSON (${(e as Error).message}); download it again`, ko: `${name}이(가) 올바른 JSON이 아닙니다 (${(e as Error).message}). 다시 받으세요` });
  }
  if (!isJsonObject(json)) throw new HfModelError(folder, { en: `${name} must hold a JSON object`, ko: `${name}에는 JSON 객체가 있어야 합니다` });
  return json;
}

/** A text file of the folder, or undefined when it is absent (chat_template.jinja). */
export function readTextFile(folder: string, name: string): string | undefined {
  try {
    return fs.readFileSync(path.join(folder, name), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
