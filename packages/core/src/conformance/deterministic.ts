/**
 * Deterministic inputs for the engine (issue #11). Every source of non-determinism in a sanstls
 * connection comes through two SSLContext options: `randomBytes` (client/server randoms, session ids,
 * ephemeral (EC)DHE and ML-KEM keys, signature nonces for RSA-PSS, ticket keys, ticket nonces and
 * age_add, padding) and `now` (certificate validity, ticket ages and lifetimes, session timeouts).
 * Give both and two runs with the same peer bytes produce the same bytes.
 * @module
 */
import { SSLError } from '@sanstls/x509';
import { defaultProvider } from '../crypto/noble.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { fromHex } from './transcript.js';

/**
 * A seeded byte stream: block i = SHA-256(seed || i as 4 bytes), concatenated. Not a CSPRNG for real
 * keys — its output is reproducible by anyone who knows the seed, which is the point.
 */
export function seededRandom(seed: string | Uint8Array, provider: CryptoProvider = defaultProvider) {
  const seedBytes = typeof seed === 'string' ? new TextEncoder().encode(seed) : seed.slice();
  const sha256 = provider.hash('sha256');
  let counter = 0;
  let block: Uint8Array = new Uint8Array(0);
  let used = 0;
  return (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (used === block.length) {
        const input = new Uint8Array(seedBytes.length + 4);
        input.set(seedBytes);
        new DataView(input.buffer).setUint32(seedBytes.length, counter++);
        block = sha256.digest(input);
        used = 0;
      }
      const take = Math.min(n - filled, block.length - used);
      out.set(block.subarray(used, used + take), filled);
      filled += take;
      used += take;
    }
    return out;
  };
}

/**
 * An RNG that returns the given values in order (hex or bytes) and throws an SSLError (reason
 * RNG_SCRIPT_MISMATCH) on a request of another size or past the end: to inject exact ephemeral keys
 * and randoms, as the RFC 8448 runner does.
 */
export function scriptedRandom(values: readonly (string | Uint8Array)[]): (n: number) => Uint8Array {
  const queue = values.map((v) => (typeof v === 'string' ? fromHex(v) : v.slice()));
  let index = 0;
  return (n) => {
    const next = queue[index++];
    if (next === undefined || next.length !== n) {
      throw new SSLError(
        `scripted RNG: request ${index} is for ${n} bytes; the script has ${next === undefined ? 'no more values' : `${next.length} bytes`}`,
        { library: 'SSL', reason: 'RNG_SCRIPT_MISMATCH' },
      );
    }
    return next.slice();
  };
}

/** A clock stopped at `ms` (milliseconds since the epoch), advancing by `stepMs` per reading. */
export function fixedClock(ms: number, stepMs = 0): () => number {
  let t = ms;
  return () => {
    const value = t;
    t += stepMs;
    return value;
  };
}
