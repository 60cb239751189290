// Writes corpus/maple-hill/train.txt, one story per paragraph, from stories.ts (seeded: same output every time).
// Run: `node bin/run-ts.js corpus/maple-hill/generate.ts`.
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PLOTS } from "./plots.js";
import { trainStories } from "./stories.js";

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, "utf8");
  renameSync(tmp, file);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const stories = trainStories();
const text = stories.join("\n\n") + "\n";
writeAtomic(path.join(here, "train.txt"), text);
console.log(`train.txt: ${stories.length} stories from ${PLOTS.length} plots, ${Buffer.byteLength(text)} bytes`);
