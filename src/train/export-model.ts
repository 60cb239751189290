// Exports a trained model as GGUF: the base file's metadata and untouched tensors as they were, trained tensors
// replaced by their new values in F32 or F16 (1-D tensors stay F32, as llama.cpp's converters write them).
import fs from "node:fs";
import path from "node:path";
import { GgmlType, gguf, writeGguf, type GgufFile, type GgufTensorInput } from "../formats/gguf/index.js";
import { f32ToF16Array } from "../formats/quant/half.js";

export async function exportTrainedModel(
  base: GgufFile,
  trained: ReadonlyMap<string, Float32Array>,
  outFile: string,
  exportType: "f32" | "f16",
  description: string,
): Promise<void> {
  const metadata = new Map(base.metadata);
  metadata.delete("general.alignment");
  metadata.set("general.description", gguf.str(description));
  const tensors: GgufTensorInput[] = base.tensors.map((info) => {
    const values = trained.get(info.name);
    if (!values) return { name: info.name, type: info.type, ne: info.ne, data: () => base.readTensorData(info) };
    const half = exportType === "f16" && info.ne.length > 1;
    return { name: info.name, type: half ? GgmlType.F16 : GgmlType.F32, ne: info.ne, data: () => (half ? f32ToF16Array(values) : values) };
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  await writeGguf(outFile, { metadata, tensors }); // written to a temporary file, then renamed
}
