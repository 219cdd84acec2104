/**
 * Hash functions by {@link HashName}, on @noble/hashes. Internal to keys/.
 * @module
 */
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { HashName } from '../types.js';

/** The slice of noble's CHash that keys/ uses (also accepted by noble's hmac and pbkdf2). */
export type NobleHash = typeof sha256 | typeof sha1;

const HASHES: Readonly<Record<HashName, NobleHash>> = { md5, sha1, sha224, sha256, sha384, sha512 };

export function nobleHash(name: HashName): NobleHash {
  return HASHES[name];
}

export function digest(name: HashName, data: Uint8Array): Uint8Array {
  return HASHES[name](data);
}

/**
 * Output lengths in bytes, as data rather than read off the hash objects: signature-scheme code that only
 * needs a length (RSASSA-PSS salt sizes in algorithms.ts) then does not bring every hash, MD5 and SHA-1
 * included, into a bundle that checks signatures elsewhere (issue #9). keys-algorithms tests compare them
 * with noble's outputLen.
 */
const DIGEST_LENGTHS: Readonly<Record<HashName, number>> = {
  md5: 16,
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

export function digestLength(name: HashName): number {
  return DIGEST_LENGTHS[name];
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
