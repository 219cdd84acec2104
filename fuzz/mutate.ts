/**
 * A small byte-level mutator in the libFuzzer / AFL tradition, plus length-field tweaks that know TLS
 * (u8/u16/u24 big-endian vectors, RFC 8446 §3.4) and DER (short and long form lengths, X.690 §8.1.3).
 * Deterministic: every choice comes from the seeded {@link Rng}.
 */

/** mulberry32: small, fast, good enough to drive a mutator; seeded so a CI failure reproduces. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.below(256);
    return out;
  }
}

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x7f, 0x80, 0x81, 0x82, 0x83, 0xfe, 0xff];

export interface MutationContext {
  rng: Rng;
  /** Other corpus entries, for splicing. */
  corpus: readonly Uint8Array[];
  /** Tokens worth inserting or overwriting with (magic values, OIDs, extension codes…). */
  dictionary: readonly Uint8Array[];
  maxLength: number;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function writeBE(buf: Uint8Array, at: number, width: number, value: number): void {
  for (let i = width - 1; i >= 0; i--) {
    buf[at + i] = value & 0xff;
    value = Math.floor(value / 256);
  }
}

function readBE(buf: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + (buf[at + i] ?? 0);
  return v;
}

/**
 * Finds length fields that describe what follows them exactly or that end inside the input: the
 * places where a TLS or DER parser makes its decisions. Falls back to a random offset.
 */
function lengthFieldCandidates(data: Uint8Array): { at: number; width: number }[] {
  const out: { at: number; width: number }[] = [];
  const limit = Math.min(data.length, 512);
  for (let at = 0; at < limit; at++) {
    for (const width of [1, 2, 3]) {
      if (at + width > data.length) continue;
      const v = readBE(data, at, width);
      const rest = data.length - at - width;
      if (v > 0 && v <= rest && (width > 1 || v >= 2)) out.push({ at, width });
    }
  }
  return out;
}

type Mutation = (data: Uint8Array, ctx: MutationContext) => Uint8Array;

const mutations: Mutation[] = [
  // Flip one bit.
  (d, { rng }) => {
    if (d.length === 0) return rng.bytes(1);
    const out = d.slice();
    const at = rng.below(d.length);
    out[at] = (out[at] ?? 0) ^ (1 << rng.below(8));
    return out;
  },
  // Set one byte to a random or interesting value.
  (d, { rng }) => {
    if (d.length === 0) return rng.bytes(1);
    const out = d.slice();
    out[rng.below(d.length)] = rng.below(2) === 0 ? rng.below(256) : rng.pick(INTERESTING_BYTES);
    return out;
  },
  // Add a small delta to one byte.
  (d, { rng }) => {
    if (d.length === 0) return rng.bytes(1);
    const out = d.slice();
    const at = rng.below(d.length);
    out[at] = ((out[at] ?? 0) + rng.below(33) - 16) & 0xff;
    return out;
  },
  // Insert random bytes.
  (d, { rng }) => {
    const at = rng.below(d.length + 1);
    return concat(d.subarray(0, at), rng.bytes(1 + rng.below(8)), d.subarray(at));
  },
  // Delete a range.
  (d, { rng }) => {
    if (d.length < 2) return d;
    const at = rng.below(d.length);
    const n = 1 + rng.below(Math.min(16, d.length - at));
    return concat(d.subarray(0, at), d.subarray(at + n));
  },
  // Truncate.
  (d, { rng }) => d.subarray(0, rng.below(d.length + 1)),
  // Duplicate a range in place (repeated elements, repeated extensions).
  (d, { rng }) => {
    if (d.length === 0) return d;
    const at = rng.below(d.length);
    const n = 1 + rng.below(Math.min(64, d.length - at));
    return concat(d.subarray(0, at + n), d.subarray(at, at + n), d.subarray(at + n));
  },
  // Splice: a prefix of this input with a suffix of another corpus entry.
  (d, { rng, corpus }) => {
    if (corpus.length === 0) return d;
    const other = rng.pick(corpus);
    return concat(d.subarray(0, rng.below(d.length + 1)), other.subarray(rng.below(other.length + 1)));
  },
  // Overwrite or insert a dictionary token.
  (d, { rng, dictionary }) => {
    if (dictionary.length === 0) return d;
    const token = rng.pick(dictionary);
    const at = rng.below(d.length + 1);
    if (rng.below(2) === 0) return concat(d.subarray(0, at), token, d.subarray(at));
    const out = d.slice();
    out.set(token.subarray(0, Math.max(0, out.length - at)), at);
    return out;
  },
  // Length-field tweak: ±1, zero, all ones, or "everything that follows".
  (d, { rng }) => {
    const candidates = lengthFieldCandidates(d);
    if (candidates.length === 0) return d;
    const { at, width } = rng.pick(candidates);
    const out = d.slice();
    const v = readBE(d, at, width);
    const max = 256 ** width - 1;
    const choices = [v + 1, v - 1, 0, max, d.length - at - width, v + 256, v * 2];
    writeBE(out, at, width, Math.max(0, Math.min(max, rng.pick(choices))));
    return out;
  },
  // DER length tweak: turn a short-form length into long form (non-minimal) or an indefinite one.
  (d, { rng }) => {
    if (d.length < 2) return d;
    const at = 1 + rng.below(d.length - 1);
    const v = d[at] ?? 0;
    if (v >= 0x80) return d;
    const forms = [
      Uint8Array.of(0x81, v),
      Uint8Array.of(0x82, 0, v),
      Uint8Array.of(0x80),
      Uint8Array.of(0x84, 0xff, 0xff, 0xff, 0xff),
    ];
    return concat(d.subarray(0, at), rng.pick(forms), d.subarray(at + 1));
  },
];

/** One to four stacked mutations of `data`, capped at `ctx.maxLength`. */
export function mutate(data: Uint8Array, ctx: MutationContext): Uint8Array {
  let out = data;
  const rounds = 1 + ctx.rng.below(4);
  for (let i = 0; i < rounds; i++) out = ctx.rng.pick(mutations)(out, ctx);
  return out.length > ctx.maxLength ? out.subarray(0, ctx.maxLength) : out;
}
