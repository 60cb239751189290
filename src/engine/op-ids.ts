// ggml op ids by name, for the passes that rewrite graph nodes (out-prod-rewrite.ts, product-precision.ts): looked up
// at run time so a renumbered enum in another ggml build cannot silently break a rewrite.
import type { GgmlApi } from "../native/ggml-bindings.js";

/** The id of each of `names` ("MUL_MAT", ...); throws when this ggml has no such op. */
export function ggmlOpIds<N extends string>(api: GgmlApi, names: readonly N[]): Record<N, number> {
  const ids = new Map<string, number>();
  for (let i = 0; i < 256; i++) {
    const name = api.ggml_op_name(i);
    if (!name) break;
    ids.set(name, i);
  }
  return Object.fromEntries(names.map((name) => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`ggml has no ${name} op (this is a bug)`);
    return [name, id];
  })) as Record<N, number>;
}
