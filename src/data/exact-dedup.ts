// Exact duplicates among records spilled to disk, each carrying a 64-bit content key: the first record (in index
// order) with a key is kept, later ones are its duplicates. Keys are grouped one partition at a time, so memory is
// bounded by the partition size rather than the corpus.
import type { RecordFile } from "./spill.js";

/** Keys held in memory at once (each about 70 bytes in a Map, so about 18 MB). */
const PARTITION_KEYS = 1 << 18;
/** firstOf value of a record that duplicates nothing (or was left out). */
export const NO_DUPLICATE = 0xffffffff;

/**
 * For every eligible record, the index of the first eligible record with the same 8-byte key at keyOffset, or
 * NO_DUPLICATE when it is that first one itself.
 */
export function firstOccurrences(
  file: RecordFile,
  keyOffset: number,
  eligible: (i: number) => boolean,
  onProgress?: (done: number, total: number) => void,
  partitionKeys = PARTITION_KEYS,
): Uint32Array {
  const firstOf = new Uint32Array(file.size).fill(NO_DUPLICATE);
  let count = 0;
  for (let i = 0; i < file.size; i++) if (eligible(i)) count++;
  const partitions = Math.max(1, Math.ceil(count / partitionKeys));
  let done = 0;
  for (let p = 0; p < partitions; p++) {
    const seen = new Map<string, number>();
    file.scan((i, buf, offset) => {
      // Keys are sha256 bytes, so their low word spreads records evenly over partitions.
      if (!eligible(i) || buf.readUInt32LE(offset + keyOffset) % partitions !== p) return;
      const key = buf.toString("latin1", offset + keyOffset, offset + keyOffset + 8);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else firstOf[i] = first;
      if (++done % 65536 === 0) onProgress?.(done, count);
    });
  }
  onProgress?.(count, count);
  return firstOf;
}
