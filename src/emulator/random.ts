/**
 * Seeded randomness, so that a run with the same `seed` draws the same fault decisions and job IDs.
 * RequestIds are not drawn from here: they must be fresh UUIDs across runs.
 */

/** A deterministic generator of numbers in [0, 1) (mulberry32). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = Math.trunc(seed) >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** `length` characters drawn from `alphabet`. */
  string(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)] ?? '';
    return out;
  }
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new ID `<prefix>-` + 8 characters of [a-z0-9], not in `taken`. */
export function newResourceId(random: SeededRandom, prefix: string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = `${prefix}-${random.string(ID_ALPHABET, 8)}`;
    if (!taken(id)) return id;
  }
}
