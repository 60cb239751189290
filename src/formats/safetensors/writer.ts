// Writes a safetensors file: the JSON header (metadata first, then tensors in the given order with contiguous
// data_offsets), padded with spaces to a multiple of 8 bytes as the reference writer does, then the data. Written to
// a temporary file and renamed into place, so a crash never leaves a half-written file.
import { InvalidConfigError } from "../../errors.js";
import { writeFileAtomically } from "../atomic-file.js";
import { SAFETENSORS_DTYPE_BYTES, type SafetensorsDtype } from "./dtypes.js";

/** One tensor to write. */
export interface SafetensorsTensorInput {
  name: string;
  dtype: SafetensorsDtype;
  /** PyTorch order (row-major). */
  shape: readonly number[];
  /** Little-endian bytes, exactly product(shape) x dtype size long. */
  data: ArrayBufferView;
}

export interface SafetensorsContent {
  /** `__metadata__`: string keys and values only (the format allows nothing else). */
  metadata?: Readonly<Record<string, string>>;
  tensors: readonly SafetensorsTensorInput[];
}

function invalid(en: string, ko: string): never {
  throw new InvalidConfigError({ en: `safetensors writer: ${en}`, ko: `safetensors 쓰기: ${ko}` });
}

/** The header bytes (8-byte length + padded JSON) for `content`, after checking every tensor. */
function encodeHeader(content: SafetensorsContent): Buffer {
  const header: Record<string, unknown> = {};
  if (content.metadata && Object.keys(content.metadata).length > 0) header.__metadata__ = content.metadata;
  let offset = 0;
  for (const t of content.tensors) {
    if (t.name === "__metadata__" || Object.hasOwn(header, t.name)) invalid(`duplicate or reserved tensor name "${t.name}"`, `중복되었거나 예약된 텐서 이름 "${t.name}"`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) invalid(`tensor "${t.name}" has shape [${t.shape.join(", ")}]`, `텐서 "${t.name}"의 모양이 [${t.shape.join(", ")}]입니다`);
    const size = t.shape.reduce((n, d) => n * d, 1) * SAFETENSORS_DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== size) {
      invalid(`tensor "${t.name}" has ${t.data.byteLength} bytes, ${t.dtype} [${t.shape.join(", ")}] needs ${size}`, `텐서 "${t.name}"은(는) ${t.data.byteLength}바이트인데 ${t.dtype} [${t.shape.join(", ")}]에는 ${size}바이트가 필요합니다`);
    }
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const padded = Math.ceil(json.length / 8) * 8;
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  return out;
}

const bytesOf = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** The whole file in memory (small files and tests). */
export function encodeSafetensors(content: SafetensorsContent): Buffer {
  return Buffer.concat([encodeHeader(content), ...content.tensors.map((t) => bytesOf(t.data))]);
}

/** Writes `content` to `path` through a temporary file in the same folder. */
export async function writeSafetensors(path: string, content: SafetensorsContent): Promise<void> {
  const header = encodeHeader(content);
  await writeFileAtomically(path, async (fh) => {
    await fh.write(header);
    for (const t of content.tensors) await fh.write(bytesOf(t.data));
  });
}
