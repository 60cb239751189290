#!/usr/bin/env node
// Runs a TypeScript file (benchmarks, scripts) through tsx: `node bin/run-ts.js bench/forward.ts [args]`.
import { register } from "tsx/esm/api";
import path from "node:path";
import { pathToFileURL } from "node:url";

register();
const file = process.argv[2];
if (!file) {
  console.error("usage: node bin/run-ts.js <file.ts> [args...]");
  process.exit(2);
}
process.argv.splice(2, 1);
await import(pathToFileURL(path.resolve(file)).href);
