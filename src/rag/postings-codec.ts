// The byte layout of one block of a term's postings in the embedded index: for each chunk holding the term, in
// ascending chunk id order, three unsigned LEB128 varints: the id gap (the first id in full), the term frequency,
// and the chunk's length in terms (so scoring needs no second lookup per chunk).

/** One block's postings, decoded into parallel arrays (ids ascending). */
export interface PostingsBlock {
  ids: number[];
  tfs: number[];
  lengths: number[];
}

const MAX_VALUE = 0xffffffff;

/** Encodes postings[from, to) of parallel arrays; ids must be strictly ascending and every value in 0..2^32-1. */
export function encodePostings(ids: ArrayLike<number>, tfs: ArrayLike<number>, lengths: ArrayLike<number>, from = 0, to = ids.length): Uint8Array {
  const out = new Uint8Array((to - from) * 15);
  let at = 0;
  const put = (value: number) => {
    if (!Number.isInteger(value) || value < 0 || value > MAX_VALUE) throw new RangeError(`postings value out of range: ${value}`);
    let v = value;
    while (v >= 0x80) {
      out[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[at++] = v;
  };
  let previous = 0;
  for (let i = from; i < to; i++) {
    const id = ids[i]!;
    if (i > from && id <= previous) throw new RangeError(`postings ids must ascend: ${id} after ${previous}`);
    put(id - (i > from ? previous : 0));
    put(tfs[i]!);
    put(lengths[i]!);
    previous = id;
  }
  return out.slice(0, at);
}

/** The varint starting at data[at]. */
export function readVarint(data: Uint8Array, at: number): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = data[at++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80 || at >= data.length) return value;
    scale *= 128;
  }
}

/** Where the varint starting at data[at] ends. */
export function varintEnd(data: Uint8Array, at: number): number {
  while (at < data.length && data[at]! >= 0x80) at++;
  return at + 1;
}

/** Decodes a whole block (bm25.ts decodes the same layout inline while scoring). */
export function decodePostings(data: Uint8Array): PostingsBlock {
  const block: PostingsBlock = { ids: [], tfs: [], lengths: [] };
  let at = 0;
  let id = 0;
  while (at < data.length) {
    id += readVarint(data, at);
    at = varintEnd(data, at);
    const tf = readVarint(data, at);
    at = varintEnd(data, at);
    const length = readVarint(data, at);
    at = varintEnd(data, at);
    block.ids.push(id);
    block.tfs.push(tf);
    block.lengths.push(length);
  }
  return block;
}
