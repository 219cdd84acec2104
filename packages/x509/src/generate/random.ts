/**
 * The two impure defaults of the generation API, read only at its outermost edge: the clock and the
 * platform RNG. Pass `now` and `randomBytes` to make generation reproducible.
 * @module
 */
import { notSupported } from './errors.js';

/** Returns `n` random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

/** `globalThis.crypto.getRandomValues` (Web Crypto, present in Node ≥ 19, browsers, Deno, Bun). */
export function platformRandomBytes(n: number): Uint8Array {
  const crypto = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues === undefined)
    throw notSupported('generation without randomBytes on a platform lacking crypto.getRandomValues');
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

export const resolveRandomBytes = (given: RandomBytes | undefined): RandomBytes => given ?? platformRandomBytes;
export const resolveNow = (given: Date | undefined): Date => given ?? new Date();
