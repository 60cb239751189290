// One JSONL reader for RAG inputs (QA sets, dataset splits): each non-blank line parsed and checked against a zod
// schema; a bad line is a RagInputError naming the file and line.
import fs from "node:fs";
import type { z } from "zod";
import { RagInputError } from "../errors.js";

export function readJsonlWith<S extends z.ZodType>(file: string, schema: S, onItem: (item: z.infer<S>) => void): void {
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        throw new RagInputError(file, i + 1, `not JSON (${(error as Error).message})`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new RagInputError(file, i + 1, parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; "));
      onItem(parsed.data);
    });
}
