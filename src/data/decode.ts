// Bytes to text: BOM first (UTF-8, UTF-16 LE/BE), then strict UTF-8, then a detector for legacy encodings
// (CP949 / EUC-KR for older Korean files). Binary files are recognised and refused rather than decoded as garbage.
import chardet from "chardet";
import iconv from "iconv-lite";
import { DataInputError } from "../errors.js";

export interface DecodedText {
  text: string;
  /** The encoding the bytes were read as (e.g. "utf-8", "utf-16le", "cp949"). */
  encoding: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes a text file's bytes; throws DataInputError "binary" or "empty" for files that hold no text. */
export function decodeText(bytes: Uint8Array, file: string): DecodedText {
  if (bytes.length === 0 || bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)) {
    throw emptyError(file);
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return checked(decodeUtf8(bytes.subarray(3), file), "utf-8", file);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return checked(iconv.decode(Buffer.from(bytes.subarray(2)), "utf-16le"), "utf-16le", file);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return checked(iconv.decode(Buffer.from(bytes.subarray(2)), "utf-16be"), "utf-16be", file);
  if (looksBinary(bytes)) throw binaryError(file);
  try {
    return checked(utf8.decode(bytes), "utf-8", file);
  } catch {
    // UTF-8 with damage (a cut or corrupted sequence) is not a legacy encoding: decoding it as windows-1252 would
    // turn every correct character into mojibake. It is recognised by its valid multi-byte sequences outnumbering
    // the invalid bytes (legacy Korean CP949 text forms a valid UTF-8 pair only by chance, far less often).
    const scan = scanUtf8(bytes);
    if (scan.multibyte > scan.invalid) throw invalidUtf8Error(file, lineAt(bytes, scan.firstInvalid), scan.invalid);
    // Not valid UTF-8: ask the detector. Korean legacy files are EUC-KR or its superset CP949 (UHC); decode with
    // CP949 in both cases because it also covers the 8,822 syllables EUC-KR lacks.
    const guess = chardet.detect(bytes.length > 65_536 ? bytes.subarray(0, 65_536) : bytes) ?? "";
    const encoding = /euc-kr|ks_c|cp949|uhc/i.test(guess) ? "cp949" : guess.toLowerCase();
    if (!encoding || !iconv.encodingExists(encoding)) throw binaryError(file);
    return checked(iconv.decode(Buffer.from(bytes), encoding), encoding, file);
  }
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const scan = scanUtf8(bytes);
    throw invalidUtf8Error(file, lineAt(bytes, scan.firstInvalid), scan.invalid);
  }
}

/** Well-formed multi-byte sequences, invalid bytes, and the offset of the first invalid byte (-1: none), per RFC 3629. */
export function scanUtf8(bytes: Uint8Array): { multibyte: number; invalid: number; firstInvalid: number } {
  let multibyte = 0;
  let invalid = 0;
  let firstInvalid = -1;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Length and the allowed range of the second byte (which rules out overlong forms, surrogates and > U+10FFFF).
    const [n, lo, hi] = b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf] : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf] : b === 0xf0 ? [4, 0x90, 0xbf] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
    let ok = n > 0 && i + n <= bytes.length && bytes[i + 1]! >= lo && bytes[i + 1]! <= hi;
    for (let k = 2; ok && k < n; k++) ok = bytes[i + k]! >= 0x80 && bytes[i + k]! <= 0xbf;
    if (ok) {
      multibyte++;
      i += n;
    } else {
      if (firstInvalid < 0) firstInvalid = i;
      invalid++;
      i++;
    }
  }
  return { multibyte, invalid, firstInvalid };
}

/** 1-based line of a byte offset. */
export function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** UTF-8 text with invalid bytes: refused with the line of the first one rather than decoded into mojibake. */
/** `streamed`: a line-based file read up to the bad byte, whose earlier lines were kept. */
export function invalidUtf8Error(file: string, line: number, count?: number, streamed = false): DataInputError {
  const n = count === undefined ? "" : ` (${count} invalid byte${count === 1 ? "" : "s"})`;
  const nKo = count === undefined ? "" : ` (잘못된 바이트 ${count}개)`;
  const kept = streamed ? { en: "The lines before it were kept, nothing from this line on", ko: "그 앞의 줄은 가져왔고 이 줄부터는 가져오지 않았습니다" } : { en: "Nothing was taken from it", ko: "이 파일에서는 아무것도 가져오지 않았습니다" };
  return new DataInputError(file, "invalid-utf8", {
    en: `UTF-8 text with invalid bytes${n}, the first on this line: the file is damaged or mixes encodings. ${kept.en}; re-save it as UTF-8 (or fix that line) and run again.`,
    ko: `UTF-8 텍스트에 잘못된 바이트가 있습니다${nKo}. 첫 번째는 이 줄에 있습니다: 파일이 손상되었거나 인코딩이 섞여 있습니다. ${kept.ko}. UTF-8로 다시 저장하거나 그 줄을 고친 뒤 다시 실행하세요.`,
  }, line);
}

/** NUL bytes never occur in 8-bit or UTF-8 text; many other control bytes mean an executable, image or archive. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  return control / n > 0.1;
}

function checked(text: string, encoding: string, file: string): DecodedText {
  if (text.trim() === "") throw emptyError(file);
  return { text, encoding };
}

export function emptyError(file: string): DataInputError {
  return new DataInputError(file, "empty", {
    en: "the file is empty (no text after decoding). Remove it or fill it; nothing was taken from it.",
    ko: "파일이 비어 있습니다 (디코딩 후 텍스트 없음). 파일을 지우거나 내용을 채우세요. 이 파일에서는 아무것도 가져오지 않았습니다.",
  });
}

export function binaryError(file: string): DataInputError {
  return new DataInputError(file, "binary", {
    en: "binary data, not text (NUL or control bytes, or no known text encoding). Give a text, Markdown, HTML, PDF, DOCX, JSON(L) or CSV file, or exclude it with --exclude.",
    ko: "텍스트가 아닌 바이너리 데이터입니다 (NUL/제어 바이트, 또는 알 수 없는 인코딩). 텍스트, Markdown, HTML, PDF, DOCX, JSON(L), CSV 파일을 주거나 --exclude로 제외하세요.",
  });
}
