// PDF text through pdf.js (Mozilla's maintained parser, legacy build for Node). Only the text layer is read:
// a scanned PDF without one is reported as such rather than yielding an empty document.
import { DataInputError } from "../../errors.js";

/** Text of every page, lines as pdf.js marks them, pages separated by blank lines. */
export async function pdfToText(bytes: Uint8Array, file: string): Promise<{ text: string; pages: number; title: string }> {
  // Loaded on the first PDF only: the legacy build installs core-js polyfills (JSON.stringify among them) that
  // slow the whole process down, so corpora without PDFs should not pay for them.
  const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
  let doc;
  try {
    // pdf.js takes ownership of the buffer it is given, so it gets a copy.
    doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise;
  } catch (error) {
    const name = (error as Error).name;
    throw new DataInputError(file, "unreadable", {
      en: `cannot read this PDF (${name === "PasswordException" ? "it is password-protected" : (error as Error).message}). Re-save or export it from its source program, or exclude it.`,
      ko: `이 PDF를 읽을 수 없습니다 (${name === "PasswordException" ? "암호로 보호됨" : (error as Error).message}). 원래 프로그램에서 다시 저장하거나 내보내거나, 제외하세요.`,
    });
  }
  try {
    const pages: string[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      let text = "";
      for (const item of content.items) {
        if (!("str" in item)) continue;
        text += item.str;
        if (item.hasEOL) text += "\n";
      }
      pages.push(text.trim());
    }
    const text = pages.filter(Boolean).join("\n\n");
    if (!text.trim()) {
      throw new DataInputError(file, "no-text", {
        en: `the PDF has ${doc.numPages} page(s) but no text layer (a scan or images). Run OCR on it first (e.g. ocrmypdf), then prepare the OCR'd file.`,
        ko: `PDF에 ${doc.numPages}쪽이 있지만 텍스트 층이 없습니다 (스캔 또는 이미지). 먼저 OCR(예: ocrmypdf)을 거친 뒤 그 파일을 준비하세요.`,
      });
    }
    const info = (await doc.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    return { text, pages: doc.numPages, title: typeof info?.Title === "string" ? info.Title : "" };
  } finally {
    await doc.destroy();
  }
}
