/**
 * CSPRNG output drawn in blocks. A handshake asks for random bytes about ten times, 4–32 bytes at a time
 * (randoms, legacy_session_id, ephemeral scalars, ticket nonces, ages and ids); each platform call costs
 * far more than the bytes (node:crypto's randomFillSync ≈ 5 µs for 32 bytes, ≈ 0.15 µs from a pooled
 * block: pnpm bench's profiles put it at 4–7% of a resumed handshake pair). So a provider's default
 * generator fills a 4 KiB block at a time and hands out copies of it.
 *
 * What the block holds is what a DRBG's state holds — future output — and nothing that was handed out:
 * each region is zeroed as soon as it is copied out, so no key drawn from it stays behind in the pool.
 * Requests above {@link POOLED_REQUEST_LIMIT} bytes go straight to the source.
 * @module
 */

/** Default block size: one 4 KiB fill serves about fifteen handshakes' draws. */
export const RANDOM_POOL_BLOCK = 4096;
/** Larger requests bypass the pool (they are rare, and would drain it). */
export const POOLED_REQUEST_LIMIT = 256;

/**
 * A `randomBytes(n)` that serves small requests from blocks of `source(blockSize)` (each handed-out
 * region copied, then zeroed in the block) and larger ones from `source(n)` directly.
 */
export function pooledRandomBytes(
  source: (n: number) => Uint8Array,
  blockSize = RANDOM_POOL_BLOCK,
): (n: number) => Uint8Array {
  let block: Uint8Array = new Uint8Array(0);
  let used = 0;
  return (n: number): Uint8Array => {
    if (!(n > 0 && n <= POOLED_REQUEST_LIMIT && n <= blockSize && Number.isInteger(n))) return source(n);
    if (used + n > block.length) {
      block = source(blockSize);
      used = 0;
    }
    const out = block.slice(used, used + n);
    block.fill(0, used, used + n);
    used += n;
    return out;
  };
}
