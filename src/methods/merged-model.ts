// Writes a whole model GGUF with some tensors replaced or added (trained biases, projections rescaled by learned vectors): the base's
// metadata and untouched tensors as they were, the given tensors in F32 so the merge adds no rounding of its own.
import fs from "node:fs";
import path from "node:path";
import { GgmlType, gguf, writeGguf, type GgufFile, type GgufTensorInput } from "../formats/gguf/index.js";

/** A tensor of the merged model: its ggml shape and F32 values. */
export interface MergedTensor {
  ne: readonly number[];
  /** Called when the writer reaches the tensor, so at most one changed tensor is held at a time. */
  values: () => Float32Array;
}

export async function writeMergedModel(base: GgufFile, changed: ReadonlyMap<string, MergedTensor>, outFile: string, description: string): Promise<void> {
  const metadata = new Map(base.metadata);
  metadata.delete("general.alignment");
  metadata.set("general.description", gguf.str(description));
  const asInput = (name: string, t: MergedTensor): GgufTensorInput => ({ name, type: GgmlType.F32, ne: t.ne, data: t.values });
  const tensors: GgufTensorInput[] = base.tensors.map((info) => {
    const replaced = changed.get(info.name);
    return replaced ? asInput(info.name, replaced) : { name: info.name, type: info.type, ne: info.ne, data: () => base.readTensorData(info) };
  });
  for (const [name, t] of changed) if (!base.findTensor(name)) tensors.push(asInput(name, t));
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  await writeGguf(outFile, { metadata, tensors }); // written to a temporary file, then renamed
}
