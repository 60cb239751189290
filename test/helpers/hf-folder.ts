// Writes Hugging Face model folders for import tests, from the safetensors format's definition (8-byte little-endian
// header length, JSON header, data) rather than through localtune's writer: config.json, one or several
// model*.safetensors (with model.safetensors.index.json when sharded) and the tokenizer files.
import fs from "node:fs";
import path from "node:path";

/** One checkpoint tensor: PyTorch shape (row-major, last dimension contiguous) and float32 values. */
export interface HfTensor {
  name: string;
  shape: number[];
  values: Float32Array;
  /** Stored dtype (default F32); BF16 truncates with round-to-nearest-even, as torch does. */
  dtype?: "F32" | "BF16";
}

/** Rounds float32 values to bfloat16 and back, the values a BF16 checkpoint holds. */
export function roundToBf16(values: Float32Array): Float32Array {
  const u = new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  for (let i = 0; i < u.length; i++) {
    const bits = u[i]!;
    u[i] = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16;
  }
  return new Float32Array(u.buffer);
}

function tensorBytes(t: HfTensor): Buffer {
  if (t.dtype === "BF16") {
    const u = new Uint32Array(roundToBf16(t.values).buffer);
    const out = Buffer.alloc(u.length * 2);
    for (let i = 0; i < u.length; i++) out.writeUInt16LE(u[i]! >>> 16, i * 2);
    return out;
  }
  return Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength);
}

/** A safetensors file holding `tensors` in the given order. */
export function writeSafetensorsFile(file: string, tensors: readonly HfTensor[]): void {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  const parts: Buffer[] = [];
  let offset = 0;
  for (const t of tensors) {
    const bytes = tensorBytes(t);
    header[t.name] = { dtype: t.dtype ?? "F32", shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = Buffer.from(JSON.stringify(header), "utf8");
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([length, json, ...parts]));
}

export interface HfFolderContent {
  config: Record<string, unknown>;
  tensors: readonly HfTensor[];
  /** Split the tensors over this many shards with an index (default 1: model.safetensors). */
  shards?: number;
  tokenizer: unknown;
  tokenizerConfig?: unknown;
}

/** Writes the folder (created if needed). */
export function writeHfFolder(dir: string, content: HfFolderContent): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(content.config, null, 2));
  fs.writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify(content.tokenizer));
  if (content.tokenizerConfig !== undefined) fs.writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify(content.tokenizerConfig));
  const shards = content.shards ?? 1;
  if (shards === 1) return writeSafetensorsFile(path.join(dir, "model.safetensors"), content.tensors);
  const weightMap: Record<string, string> = {};
  const per = Math.ceil(content.tensors.length / shards);
  for (let s = 0; s < shards; s++) {
    const name = `model-${String(s + 1).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}.safetensors`;
    const chunk = content.tensors.slice(s * per, (s + 1) * per);
    for (const t of chunk) weightMap[t.name] = name;
    writeSafetensorsFile(path.join(dir, name), chunk);
  }
  fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }, null, 2));
}

/** GPT-2's byte -> printable character map (bytes_to_unicode): the alphabet of byte-level BPE vocabularies. */
export function byteLevelAlphabet(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let extra = 0;
  return Array.from({ length: 256 }, (_, b) => (printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++)));
}

/**
 * A small byte-level BPE tokenizer.json in Qwen2's layout (its Split regex, ByteLevel without regex): the 256 byte
 * tokens, a few merges, and <|endoftext|> as a special added token; `nVocab` ids in all (the rest unused).
 */
export function smallByteLevelTokenizer(): { tokenizer: unknown; tokenizerConfig: unknown; nTokens: number } {
  const alphabet = byteLevelAlphabet();
  const vocab: Record<string, number> = {};
  alphabet.forEach((c, i) => (vocab[c] = i));
  const merges: [string, string][] = [["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["i", "n"], ["Ġ", "a"]];
  for (const [a, b] of merges) vocab[a + b] = Object.keys(vocab).length;
  const eos = Object.keys(vocab).length;
  const tokenizer = {
    version: "1.0",
    added_tokens: [{ id: eos, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        {
          type: "Split",
          pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
          behavior: "Isolated",
          invert: false,
        },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: { type: "BPE", dropout: null, unk_token: null, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
  const tokenizerConfig = { eos_token: "<|endoftext|>", pad_token: "<|endoftext|>", bos_token: null, chat_template: "{% for m in messages %}{{ m['content'] }}{% endfor %}" };
  return { tokenizer, tokenizerConfig, nTokens: eos + 1 };
}
