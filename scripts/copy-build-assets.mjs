// Part of `npm run build`: copies the files under src/ that are not TypeScript (e.g. the RAG thesaurus) into dist/,
// to the same relative paths, because the compiled modules find them beside themselves (import.meta.url) as the
// sources do. tsc emits only JavaScript and declarations.
import fs from "node:fs";
import path from "node:path";

const SOURCE = "src";
const TARGET = "dist";
const isCode = (file) => file.endsWith(".ts") || file.endsWith(".md");

let copied = 0;
for (const entry of fs.readdirSync(SOURCE, { recursive: true, withFileTypes: true })) {
  const from = path.join(entry.parentPath ?? entry.path, entry.name);
  if (!entry.isFile() || isCode(entry.name)) continue;
  const to = path.join(TARGET, path.relative(SOURCE, from));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  copied++;
}
console.log(`copied ${copied} asset file(s) from ${SOURCE}/ to ${TARGET}/`);
