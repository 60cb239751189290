// DOCX through mammoth (maintained Word-to-HTML converter): headings keep their levels through the HTML step.
import mammoth from "mammoth";
import { DataInputError } from "../../errors.js";
import { htmlToText } from "./html.js";

export async function docxToText(bytes: Uint8Array, file: string): Promise<{ text: string; warnings: string[] }> {
  let result;
  try {
    result = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
  } catch (error) {
    throw new DataInputError(file, "unreadable", {
      en: `cannot read this DOCX (${(error as Error).message}). Open and re-save it in Word or LibreOffice, or exclude it.`,
      ko: `이 DOCX를 읽을 수 없습니다 (${(error as Error).message}). Word나 LibreOffice에서 열어 다시 저장하거나, 제외하세요.`,
    });
  }
  return { text: htmlToText(result.value, false).text, warnings: result.messages.map((m) => m.message) };
}
