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

/** Decodes a whole block. */
export function decodePostings(data: Uint8Array): PostingsBlock {
  const block: PostingsBlock = { ids: [], tfs: [], lengths: [] };
  forEachPosting(data, (id, tf, length) => {
    block.ids.push(id);
    block.tfs.push(tf);
    block.lengths.push(length);
  });
  return block;
}

/** Calls visit(id, tf, length) for each posting of a block, in id order, without allocating. */
export function forEachPosting(data: Uint8Array, visit: (id: number, tf: number, length: number) => void): void {
  let at = 0;
  let id = 0;
  const end = data.length;
  while (at < end) {
    let b = data[at++]!;
    let gap = b & 0x7f;
    for (let shift = 7; b & 0x80; shift += 7) gap += ((b = data[at++]!) & 0x7f) * 2 ** shift;
    b = data[at++]!;
    let tf = b & 0x7f;
    for (let shift = 7; b & 0x80; shift += 7) tf += ((b = data[at++]!) & 0x7f) * 2 ** shift;
    b = data[at++]!;
    let length = b & 0x7f;
    for (let shift = 7; b & 0x80; shift += 7) length += ((b = data[at++]!) & 0x7f) * 2 ** shift;
    id += gap;
    visit(id, tf, length);
  }
}
