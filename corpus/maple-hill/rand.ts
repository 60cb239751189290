// Seeded random choices for the Maple Hill story generator: the same seed always gives the same corpus.
export class Rand {
  private state: number;
  /** Next phrasing index per cycled list, so cycle() is reproducible for a fresh Rand with the same seed. */
  private readonly turns = new Map<string, number>();

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1) from mulberry32: tiny, fast, and good enough to pick phrasings. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("Rand.pick needs at least one item");
    return item;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * Items of a named list in turn, from a random first one: every item is used once before any repeats, so all the
   * phrasings of a fact reach the corpus even when the fact is told only a few times.
   */
  cycle<T>(name: string, items: readonly T[]): T {
    if (items.length === 0) throw new RangeError(`Rand.cycle(${name}) needs at least one item`);
    const turn = this.turns.get(name) ?? Math.floor(this.next() * items.length);
    this.turns.set(name, turn + 1);
    return items[turn % items.length]!;
  }

  /** A new array in random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }
}
